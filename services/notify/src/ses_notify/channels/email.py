"""The e-mail channel: multipart (plain text + HTML) messages over SMTP, or into a directory.

``settings.notify.mail_transport`` picks the transport:

* ``maildir`` (embedded default): each e-mail is written to ``mail_dir`` as
  ``<delivery id>.eml`` — open it with any mail program. Writing the same delivery
  again replaces the same file, so a repeated attempt never shows as two e-mails.
* ``smtp``: sent through ``smtp_host:smtp_port`` with the standard library's
  ``smtplib`` (in the worker's thread), one connection per batch, STARTTLS and login
  when configured.

SMTP replies decide the outcome: no connection, a dropped connection or a 421 reply
mean the server is unavailable (the delivery waits, no attempt counted); another 4xx
is a transient failure of that message; a 5xx a permanent one. The ``Message-ID`` is
derived from the delivery id, so a receiving system can spot a repeat.
"""

from __future__ import annotations

import contextlib
import email.policy
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from sqlalchemy.orm import Session

from ses_core.notifications import DELIVERY_HEADER, TOPIC_HEADER, Channel
from ses_core.platform.settings import NotifySettings
from ses_notify.channels import (
    ChannelContext,
    ChannelSession,
    ChannelUnavailable,
    PermanentFailure,
    TransientFailure,
)
from ses_notify.deliveries import Delivery

MESSAGE_ID_DOMAIN = "ses-notify"
# CRLF line ends, headers folded only past RFC 5322's hard limit (the default 78 makes the
# standard library fold a long subject right after "Subject:", which some readers show as a
# leading blank), and 7-bit transfer encodings so that any relay can carry the message.
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=998, cte_type="7bit")


def compose(delivery: Delivery, mail_from: str) -> EmailMessage:
    content = delivery.content
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = mail_from
    message["To"] = formataddr(("", delivery.address))
    message["Subject"] = str(content.get("subject", ""))
    message["Date"] = format_datetime(delivery.created_at)
    message["Message-ID"] = f"<{delivery.delivery_id}@{MESSAGE_ID_DOMAIN}>"
    message[DELIVERY_HEADER] = delivery.delivery_id
    message[TOPIC_HEADER] = delivery.topic
    message.set_content(str(content.get("text", "")))
    message.add_alternative(str(content.get("html", "")), subtype="html")
    return message


class _MaildirSession:
    def __init__(self, directory: Path, mail_from: str) -> None:
        self._directory = directory
        self._mail_from = mail_from

    def deliver(self, delivery: Delivery, session: Session | None) -> None:
        data = compose(delivery, self._mail_from).as_bytes()
        final = self._directory / f"{delivery.delivery_id}.eml"
        partial = final.with_suffix(".eml.partial")
        try:
            partial.write_bytes(data)
            os.replace(partial, final)  # a reader never sees half a message
        except OSError as error:
            raise ChannelUnavailable(f"Cannot write {final}: {error}") from error

    def close(self) -> None:
        pass


class _SmtpSession:
    def __init__(self, client: smtplib.SMTP, envelope_from: str, mail_from: str) -> None:
        self._client = client
        self._envelope_from = envelope_from
        self._mail_from = mail_from

    def deliver(self, delivery: Delivery, session: Session | None) -> None:
        message = compose(delivery, self._mail_from)
        try:
            refused = self._client.send_message(
                message, from_addr=self._envelope_from, to_addrs=[delivery.address]
            )
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()), (550, b"refused"))
            raise _classified(code, reply, delivery.address) from error
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise _classified(error.smtp_code, error.smtp_error, delivery.address) from error
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise ChannelUnavailable(f"The SMTP connection broke: {error}") from error
        except smtplib.SMTPResponseException as error:
            raise _classified(error.smtp_code, error.smtp_error, delivery.address) from error
        if refused:  # only possible with several recipients; kept for completeness
            code, reply = next(iter(refused.values()))
            raise _classified(code, reply, delivery.address)

    def close(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self._client.quit()
        with contextlib.suppress(OSError):
            self._client.close()


def _classified(code: int, reply: bytes | str, address: str) -> Exception:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    message = f"The SMTP server answered {code} {text.strip()} for {address}"
    if code == 421:
        return ChannelUnavailable(message)
    if 400 <= code < 500:
        return TransientFailure(message)
    return PermanentFailure(message)


class EmailChannel:
    kind = Channel.EMAIL
    transactional = False

    def __init__(self, settings: NotifySettings, *, timeout: float = 30.0) -> None:
        self._settings = settings
        self._timeout = timeout

    @property
    def mail_dir(self) -> Path:
        assert self._settings.mail_dir is not None
        return self._settings.mail_dir.resolve()

    def describe(self) -> str:
        s = self._settings
        if s.mail_transport == "maildir":
            return (
                f"E-mail: written as .eml files to {self.mail_dir} (open them in a mail program)."
            )
        return f"E-mail: sent through SMTP {s.smtp_host}:{s.smtp_port} from {s.mail_from}."

    def open(self) -> ChannelSession:
        s = self._settings
        if s.mail_transport == "maildir":
            try:
                self.mail_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise ChannelUnavailable(f"Cannot create {self.mail_dir}: {error}") from error
            return _MaildirSession(self.mail_dir, s.mail_from)
        return _SmtpSession(self._connect(), parseaddr(s.mail_from)[1], s.mail_from)

    def probe(self) -> None:
        session = self.open()
        session.close()

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        try:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self._timeout)
        except (OSError, smtplib.SMTPException) as error:
            raise ChannelUnavailable(
                f"The SMTP server {s.smtp_host}:{s.smtp_port} is unreachable: {error}"
            ) from error
        try:
            if s.smtp_starttls:
                client.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                client.login(s.smtp_username, s.smtp_password)
        except (OSError, smtplib.SMTPException) as error:
            with contextlib.suppress(OSError):
                client.close()
            # Misconfiguration or a server problem: keep the mail and let people fix it.
            raise ChannelUnavailable(
                f"The SMTP server {s.smtp_host}:{s.smtp_port} refused the session: {error}"
            ) from error
        return client


def build(context: ChannelContext) -> EmailChannel:
    return EmailChannel(context.settings.notify, timeout=context.network_timeout)
