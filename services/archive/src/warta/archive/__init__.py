"""The archive: every Warta event kept as it was published, and each request's whole story."""
