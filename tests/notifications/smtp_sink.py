"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests.

``SmtpSink`` runs aiosmtpd's ``Controller`` on a free port. ``mode`` decides how it answers a
recipient: ``"accept"`` (keep the message), ``"refuse"`` (550: the address does not exist),
``"defer"`` (451: try later) or ``"drop"`` (close the connection mid-conversation).
``messages`` are parsed ``EmailMessage`` objects. The ``smtp_sink`` fixture yields one; the
``mail_config`` fixture gives the app settings that point engage at it.
"""

from __future__ import annotations

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller

from tests.servers import free_port

PUBLIC_URL = "https://comments.example"


class _Handler:
    def __init__(self):
        self.mode = "accept"
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []
        self.greetings = 0  # EHLOs: one per connection

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "refuse":
            return "550 5.1.1 No such mailbox here"
        if self.mode == "defer":
            return "451 4.3.0 Try again later"
        if self.mode == "drop":
            server.transport.abort()
            return "421 4.3.0 Gone"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 Message accepted"


class SmtpSink:
    def __init__(self):
        self.port = free_port()
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self):
        return self.handler.messages

    def set_mode(self, mode: str) -> None:
        self.handler.mode = mode

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def config_overrides(smtp_sink):
    """engage pointed at the sink; delivery is run by the tests (``deliver``)."""
    return {"SMTP_URL": smtp_sink.url, "PUBLIC_URL": PUBLIC_URL, "MAIL_FROM": "news@example.org",
            "OUTBOX_IN_SERVER": False, "SMTP_TIMEOUT_SECONDS": 5.0,
            "OUTBOX_BACKOFF_SECONDS": 0.01, "OUTBOX_BACKOFF_MAX_SECONDS": 0.01}
