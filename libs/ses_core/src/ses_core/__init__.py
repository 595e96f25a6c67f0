"""SES core: domain rules, platform kit and SDK."""
