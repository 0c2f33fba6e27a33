"""One mail as an ``EmailMessage``: plain text first, HTML as the alternative.

Contracts
- ``Message-ID`` is ``<outbox message id@host of PUBLIC_URL>``: a retry of the same outbox
  message carries the same id, so a receiving server (or a reader's client) sees one mail.
- Reader mail carries ``List-Unsubscribe: <https link>`` (and ``<mailto:…>`` when
  ``mailto`` is given) and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058:
  a mail client's "unsubscribe" button POSTs to the link, no page, no login).
- Templates are Jinja files beside this module (``templates/<name>.txt`` and ``.html``); the
  HTML ones are autoescaped, and a comment's HTML is the sanitised ``body_html`` engage
  publishes anyway.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                              autoescape=jinja2.select_autoescape(["html"]),
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(name: str, **context) -> tuple[str, str]:
    """(plain text, HTML) of template ``name``."""
    env = _environment()
    return (env.get_template(f"{name}.txt").render(**context),
            env.get_template(f"{name}.html").render(**context))


@dataclass(frozen=True)
class Envelope:
    """Who sends, and the host that names Message-IDs."""

    sender: str
    host: str

    @classmethod
    def from_config(cls, config) -> "Envelope":
        host = urlsplit(config["PUBLIC_URL"]).hostname or "localhost"
        return cls(sender=config["MAIL_FROM"] or f"engage@{host}", host=host)


def build(envelope: Envelope, *, message_id: str, to: str, subject: str, text: str, html: str,
          unsubscribe_url: str | None = None, mailto: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = envelope.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{message_id}@{envelope.host}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    if unsubscribe_url:
        links = [f"<{unsubscribe_url}>"] + ([f"<mailto:{mailto}?subject=unsubscribe>"]
                                            if mailto else [])
        message["List-Unsubscribe"] = ", ".join(links)
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
