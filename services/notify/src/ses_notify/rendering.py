"""Turning a notice into words: Jinja2 templates per topic, plain text and HTML e-mail.

Each topic has ``templates/topics/<topic>.txt`` with two blocks, ``subject`` (one
line; the in-app title and the e-mail subject) and ``body`` (plain text; the in-app
body). E-mails wrap the body in ``email.txt`` and ``email.html``; the HTML version is
built from the same text (autoescaped, paragraphs and the action link), so the two
parts can never say different things.

Templates only see the facts that survived ``visible_facts`` for their reader, plus
the reader's name: a template cannot leak a fact it was not given. A missing fact
renders as nothing, so templates guard optional facts with ``{% if %}``.

A notice about a complaint names it by ``complaint_reference`` (never its internal
id) and links to it: ``complaint_url`` is ``<portal_url>/complaints/<reference>``
(``SES_NOTIFY__PORTAL_URL``), and it is the notice's action unless the notice
brings its own (an activation link).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from ses_core.notifications import Topic
from ses_core.platform.grpc import eastern_time


@dataclass(frozen=True)
class RenderedNotice:
    title: str
    body: str
    action_url: str = ""
    action_label: str = ""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def long_date(value: Any) -> str:
    """``2026-03-03`` → ``Tuesday, March 3, 2026``; instants read in US Eastern time."""
    if isinstance(value, str) and value:
        text = value
        try:
            value = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        return eastern_time(value)
    if isinstance(value, date):
        return f"{value:%A, %B} {value.day}, {value.year}"
    return str(value or "")


def humanize(value: Any) -> str:
    """``CLOSED_WITH_MONETARY_RELIEF`` → ``Closed with monetary relief``."""
    text = str(value or "").replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:]


class Renderer:
    def __init__(self, portal_url: str) -> None:
        self._portal_url = portal_url.rstrip("/")
        self._env = Environment(
            loader=PackageLoader("ses_notify", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._env.filters["long_date"] = long_date
        self._env.filters["humanize"] = humanize

    def complaint_url(self, reference: str) -> str:
        """Where the portal shows the complaint with this reference number."""
        return f"{self._portal_url}/complaints/{quote(reference, safe='')}"

    def render(self, topic: Topic, facts: Mapping[str, Any], reader_name: str) -> RenderedNotice:
        values = {**facts, "reader_name": reader_name}
        reference = str(facts.get("complaint_reference", ""))
        if reference:
            values["complaint_url"] = self.complaint_url(reference)
            values.setdefault("action_url", values["complaint_url"])
            values.setdefault("action_label", f"Open complaint {reference} in SES")
        template = self._env.get_template(f"topics/{topic.value}.txt")
        context = template.new_context(values)
        title = " ".join("".join(template.blocks["subject"](context)).split())
        body = _tidy("".join(template.blocks["body"](context)))
        return RenderedNotice(
            title=title,
            body=body,
            action_url=str(values.get("action_url", "")),
            action_label=str(values.get("action_label", "")),
        )

    def email(self, notice: RenderedNotice, reader_name: str) -> RenderedEmail:
        values = {
            "reader_name": reader_name,
            "title": notice.title,
            "body": notice.body,
            "paragraphs": [part for part in notice.body.split("\n\n") if part.strip()],
            "action_url": notice.action_url,
            "action_label": notice.action_label or "Open",
        }
        text = _tidy(self._env.get_template("email.txt").render(values)) + "\n"
        html = self._env.get_template("email.html").render(values)
        return RenderedEmail(subject=notice.title, text=text, html=html)


def _tidy(text: str) -> str:
    """Trim each line and collapse runs of blank lines that optional blocks leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()
