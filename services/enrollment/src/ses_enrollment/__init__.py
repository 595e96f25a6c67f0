"""SES enrollment service."""
