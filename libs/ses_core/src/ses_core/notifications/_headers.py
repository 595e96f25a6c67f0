"""Headers that tell a receiver which delivery and topic a message is.

E-mails carry both; webhook POSTs carry the topic (a routing hint outside the signed
body) and the delivery id as the Standard Webhooks ``webhook-id`` (``ses_sdk``).
"""

from __future__ import annotations

DELIVERY_HEADER = "X-SES-Delivery"
TOPIC_HEADER = "X-SES-Topic"
