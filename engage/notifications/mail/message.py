"""One mail as a MIME message: plain text first, HTML as the alternative.

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
from email.charset import BASE64, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
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


class _OneLinePolicy(Compat32):
    """compat32 that writes a header already on one line in ASCII as it is.

    compat32 folds every header through ``email.header.Header`` (encoded-word analysis of each
    character): 16 headers a mail took about 250 µs of the ~700 µs a mail cost to build and
    write, on the delivery thread that shares the CPU with the POSTs (measured). Anything
    else (a value that is not ASCII, has a line break or is too long) is folded as before.
    """

    def _as_is(self, name: str, value) -> bool:
        return (isinstance(value, str) and value.isascii() and "\n" not in value
                and "\r" not in value and len(name) + len(value) + 2 <= self.max_line_length)

    def fold(self, name, value):
        if self._as_is(name, value):
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if self._as_is(name, value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


# UTF-8 headers as base64 encoded words: the default (shortest of Q and base64) measures the Q
# form a character at a time (quadratic; ~200 µs for one subject, measured).
_HEADER_CHARSET = Charset("utf-8")
_HEADER_CHARSET.header_encoding = BASE64

# Headers stay on one line up to RFC 5322's 998 characters: a folded List-Unsubscribe would
# break its URL in clients that do not unfold.
_ONE_LINE = _OneLinePolicy(max_line_length=998)


def build(envelope: Envelope, *, message_id: str, to: str, subject: str, text: str, html: str,
          unsubscribe_url: str | None = None, mailto: str | None = None) -> Message:
    """The mail, multipart/alternative (plain text, then HTML), UTF-8.

    Built with the ``compat32`` MIME classes: ``EmailMessage``'s content manager and header
    registry took 1.2 ms a mail against 0.14 ms here (measured; a mail then cost a third of a
    POST's CPU, which the server's delivery thread takes from the POSTs). Header values are
    put on one line first (a title with a line break cannot add a header); an address that
    is not ASCII takes the ``EmailMessage`` path, which encodes it for SMTPUTF8.
    """
    headers = {"From": envelope.sender, "To": to, "Subject": subject,
               "Date": formatdate(usegmt=True), "Message-ID": f"<{message_id}@{envelope.host}>",
               "Auto-Submitted": "auto-generated"}  # RFC 3834: no vacation replies, please
    if unsubscribe_url:
        links = [f"<{unsubscribe_url}>"] + ([f"<mailto:{mailto}?subject=unsubscribe>"]
                                            if mailto else [])
        headers["List-Unsubscribe"] = ", ".join(links)
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    headers = {name: " ".join(value.splitlines()) for name, value in headers.items()}
    if not (headers["From"] + headers["To"]).isascii():
        return _rich(headers, text, html)
    # A boundary of our own: the generator's would be checked against the whole text with a
    # regular expression (~90 µs a mail). Both parts are base64 (UTF-8 text), whose lines
    # never start with "--", so this one cannot occur inside them.
    message = MIMEMultipart("alternative", boundary=f"=_engage_{message_id}", policy=_ONE_LINE)
    for name, value in headers.items():
        message[name] = Header(value, _HEADER_CHARSET).encode() if not value.isascii() else value
    message.attach(MIMEText(text, "plain", "utf-8", policy=_ONE_LINE))
    message.attach(MIMEText(html, "html", "utf-8", policy=_ONE_LINE))
    return message


def _rich(headers: dict[str, str], text: str, html: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
