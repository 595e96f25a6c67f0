"""SES files service."""
