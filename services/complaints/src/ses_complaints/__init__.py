"""SES complaints service."""
