"""The notifier: tells each officer when work waits for them, and warns before a standard is breached."""
