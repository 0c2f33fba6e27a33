"""Wiring of mail into an app (``create_app`` calls ``init_app``).

Mail is on when ``SMTP_URL`` and ``PUBLIC_URL`` are both set (``enabled``); otherwise no mail
is ever enqueued and ``engage serve`` prints one line saying which setting is missing. The
"mail" channel is registered either way, so that messages queued while mail was on still go
out (or fail visibly) after a restart without it.
"""

from __future__ import annotations

from flask import Flask

from engage.notifications.delivery import register_channel
from engage.notifications.mail import channel, transport


def enabled(config) -> bool:
    return bool(config["SMTP_URL"] and config["PUBLIC_URL"])


def why_disabled(config) -> str | None:
    """The startup line of a server that sends no mail, or None when it does."""
    if not config["SMTP_URL"]:
        return ("Mail is off: set ENGAGE_SMTP_URL (and ENGAGE_PUBLIC_URL) to send reader "
                "notifications and moderator alerts.")
    if not config["PUBLIC_URL"]:
        return ("Mail is off: ENGAGE_SMTP_URL is set but ENGAGE_PUBLIC_URL is not; mail needs "
                "it for its links, so none is sent.")
    return None


def init_app(app: Flask) -> channel.MailState:
    """Parse ``SMTP_URL`` (ValueError at start for a bad one) and register the channel."""
    smtp = None
    if app.config["SMTP_URL"]:
        smtp = transport.Connections(transport.SmtpSettings.parse(app.config["SMTP_URL"]),
                                     float(app.config["SMTP_TIMEOUT_SECONDS"]),
                                     keep=max(1, int(app.config["OUTBOX_CONCURRENCY"])))
    mail = channel.MailState(smtp=smtp, builders={}, refused={})
    app.extensions[channel.EXTENSION] = mail
    register_channel(channel.CHANNEL, channel.send, channel.on_failed)
    if smtp is not None:
        # imported here: serving imports nothing at module level that engage.cli loads
        from engage.serving.lifecycle import on_shutdown

        on_shutdown(app, smtp.close)
    producers = app.extensions.setdefault("engage_startup_messages", [])
    producers.append(lambda: why_disabled(app.config))
    return mail


def add_kind(app: Flask, kind: str, build: channel.Builder,
             refused: channel.Refused | None = None) -> None:
    """Let ``build`` make the mails of payload kind ``kind`` (called from features' init_app)."""
    mail = channel.state(app)
    mail.builders[kind] = build
    if refused is not None:
        mail.refused[kind] = refused
