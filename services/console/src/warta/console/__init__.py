"""The console: server-rendered pages for each SOP role, calling the services with the officer's token."""
