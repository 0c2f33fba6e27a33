"""Building a mail: one-line headers (no injection through a title), UTF-8 round trips."""

from __future__ import annotations

import email
import email.policy

from engage.notifications.mail.message import Envelope, build

ENVELOPE = Envelope(sender="news@example.org", host="comments.example")


def _parsed(message):
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def test_a_line_break_in_a_title_cannot_add_a_header():
    mail = _parsed(build(ENVELOPE, message_id="m1", to="ada@example.org",
                         subject="Reply on Bridge\r\nBcc: victim@example.net", text="hi",
                         html="<p>hi</p>"))
    assert mail["Bcc"] is None
    assert mail["Subject"] == "Reply on Bridge Bcc: victim@example.net"


def test_non_ascii_text_and_a_long_unsubscribe_link_survive():
    url = "https://comments.example/subscriptions/unsubscribe/" + "x" * 120
    mail = _parsed(build(ENVELOPE, message_id="m2", to="ada@example.org",
                         subject="Réponse à « Pont »", text="Très bien — 日本語\n",
                         html="<p>Très bien</p>", unsubscribe_url=url))
    assert mail["Subject"] == "Réponse à « Pont »"
    assert mail["List-Unsubscribe"] == f"<{url}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"] == "<m2@comments.example>"
    assert mail.get_body(("plain",)).get_content() == "Très bien — 日本語\n"
    assert mail.get_body(("html",)).get_content().strip() == "<p>Très bien</p>"


def test_a_non_ascii_address_is_kept():
    mail = _parsed(build(ENVELOPE, message_id="m3", to="jörg@exämple.org", subject="Hi",
                         text="hi", html="<p>hi</p>"))
    assert mail["To"] == "jörg@exämple.org"
