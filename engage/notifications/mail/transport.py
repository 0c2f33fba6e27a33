"""SMTP delivery of one message, with every failure sorted into "try later" or "never".

``SmtpSettings.parse(url)`` reads ``smtp://[user:pass@]host:port[?starttls=1]`` (plain, or
upgraded with STARTTLS) and ``smtps://…`` (TLS from the first byte). ``Connections`` sends
with ``timeout`` on the connect and on every reply, so a stalled server costs a deliverer at
most that long per step, and keeps a few connections open between mails.

Failure mapping (the outbox retries ``RetryLater`` with backoff for 24 h, ``Undeliverable``
fails now):
- a 5xx refusal of the recipient → ``RecipientRefused`` (an ``Undeliverable``: the address is
  bad; the caller marks its subscription undeliverable);
- any other 5xx (sender, data) → ``Undeliverable``;
- 4xx, timeouts, refused or dropped connections, TLS and authentication trouble → ``RetryLater``.
"""

from __future__ import annotations

import contextlib
import functools
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import Message
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


class Connections:
    """SMTP connections kept open between mails (a TLS handshake and a login per mail would
    cost more than the mail): at most ``keep`` idle ones, each closed once idle for
    ``idle_seconds`` (servers drop idle clients after a while). A kept connection that turns
    out closed when reused is replaced once by a fresh one; a connection that failed in any
    other way is closed, never reused. Safe to share between the threads of one process."""

    def __init__(self, settings: SmtpSettings, timeout: float,
                 tls_context: ssl.SSLContext | None = None, keep: int = 4,
                 idle_seconds: float = 30.0):
        self.settings, self.timeout, self.keep, self.idle = settings, timeout, keep, idle_seconds
        self.tls_context = tls_context
        self._idle: list[tuple[float, smtplib.SMTP]] = []
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        """Deliver ``message`` to its ``To`` address; raise RetryLater or Undeliverable."""
        client = self._take()
        with _sorted_failures():
            try:
                if client is None:
                    client = self._open()
                    client.send_message(message)
                else:
                    try:
                        client.send_message(message)
                    except (smtplib.SMTPServerDisconnected, ConnectionError):
                        _close(client)  # closed while idle: once more on a fresh connection
                        client = self._open()
                        client.send_message(message)
            except BaseException:
                if client is not None:
                    _close(client)
                raise
        self._give_back(client)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, client in idle:
            _close(client)

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        tls = settings.implicit_tls or settings.starttls
        context = (self.tls_context or default_tls_context()) if tls else None
        if settings.implicit_tls:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=self.timeout,
                                      context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=self.timeout)
        try:
            if settings.starttls:
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password or "")
        except BaseException:
            _close(client)
            raise
        return client

    def _take(self) -> smtplib.SMTP | None:
        now, stale, found = time.monotonic(), [], None
        with self._lock:
            while self._idle and found is None:
                since, client = self._idle.pop()
                if now - since > self.idle:
                    stale.append(client)
                else:
                    found = client
        for client in stale:
            _close(client)
        return found

    def _give_back(self, client: smtplib.SMTP) -> None:
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append((time.monotonic(), client))
                return
        _close(client)


def send(settings: SmtpSettings, message: Message, timeout: float,
         tls_context: ssl.SSLContext | None = None) -> None:
    """One mail on a connection of its own."""
    Connections(settings, timeout, tls_context, keep=0).send(message)


@contextlib.contextmanager
def _sorted_failures():
    """SMTP failures as the outbox's RetryLater or Undeliverable (module docstring)."""
    try:
        yield
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
