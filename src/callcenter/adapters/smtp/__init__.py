"""The SMTP receiver: mail from allow-listed relays becomes `email` work items (aiosmtpd)."""
