"""SES notify service."""
