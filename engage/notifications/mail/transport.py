"""SMTP delivery of one message, with every failure sorted into "try later" or "never".

``SmtpSettings.parse(url)`` reads ``smtp://[user:pass@]host:port[?starttls=1]`` (plain, or
upgraded with STARTTLS) and ``smtps://…`` (TLS from the first byte). ``send`` opens one
connection per message with ``timeout`` on the connect and on every reply, so a stalled server
costs a deliverer at most that long per step.

Failure mapping (the outbox retries ``RetryLater`` with backoff for 24 h, ``Undeliverable``
fails now):
- a 5xx refusal of the recipient → ``RecipientRefused`` (an ``Undeliverable``: the address is
  bad; the caller marks its subscription undeliverable);
- any other 5xx (sender, data) → ``Undeliverable``;
- 4xx, timeouts, refused or dropped connections, TLS and authentication trouble → ``RetryLater``.
"""

from __future__ import annotations

import functools
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from engage.notifications.delivery import RetryLater, Undeliverable

_TRUE = {"1", "true", "yes", "on"}


# the start of a RecipientRefused's text, which the outbox keeps as the message's last error
REFUSED = "recipient refused"


class RecipientRefused(Undeliverable):
    """The server refused the recipient for good (5xx): mailing the address again is useless."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> "SmtpSettings":
        """ValueError, naming the problem (never the password), for a URL engage cannot use."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("ENGAGE_SMTP_URL must start with smtp:// or smtps://")
        if not parts.hostname:
            raise ValueError("ENGAGE_SMTP_URL needs a host")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("ENGAGE_SMTP_URL has an invalid port") from None
        implicit = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        starttls = (query.get("starttls") or ["0"])[-1].lower() in _TRUE
        return cls(host=parts.hostname, port=port or (465 if implicit else 25),
                   implicit_tls=implicit, starttls=starttls and not implicit,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


@functools.cache
def default_tls_context() -> ssl.SSLContext:
    """The system's trust store, loaded once (loading it costs ~150 ms: more than a send)."""
    return ssl.create_default_context()


def send(settings: SmtpSettings, message: EmailMessage, timeout: float,
         tls_context: ssl.SSLContext | None = None) -> None:
    """Deliver ``message`` to its ``To`` address; raise RetryLater or Undeliverable."""
    tls = settings.implicit_tls or settings.starttls
    context = (tls_context or default_tls_context()) if tls else None
    try:
        if settings.implicit_tls:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                      context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        try:
            if settings.starttls:
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.send_message(message)
        finally:
            _close(client)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise RecipientRefused(f"{REFUSED} ({codes[0]})") from None
        raise RetryLater(f"recipient deferred ({codes[0] if codes else '?'})") from None
    except smtplib.SMTPResponseException as error:  # sender refused, data refused, auth …
        if 500 <= error.smtp_code < 600 and not isinstance(error, smtplib.SMTPAuthenticationError):
            raise Undeliverable(f"refused ({error.smtp_code})") from None
        raise RetryLater(f"deferred ({error.smtp_code})") from None
    except (smtplib.SMTPException, socket.timeout, ssl.SSLError, OSError) as error:
        # disconnects, timeouts, refused connections, TLS trouble: the server may be back soon
        raise RetryLater(f"{type(error).__name__}: {error}"[:200]) from None


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
