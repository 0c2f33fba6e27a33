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


def test_headers_as_smtp_writes_them_long_subjects_fold_and_lines_end_in_crlf():
    # smtplib.send_message writes the mail with BytesGenerator and CRLF, as here.
    import io
    from email.generator import BytesGenerator

    subject = "Antwort auf „" + "Brücke über den Fluss " * 12 + "“"
    built = build(ENVELOPE, message_id="m4", to="ada@example.org", subject=subject,
                  text="Zeile eins\nZeile zwei\n", html="<p>eins</p>",
                  unsubscribe_url="https://comments.example/u/" + "y" * 60)
    out = io.BytesIO()
    BytesGenerator(out).flatten(built, linesep="\r\n")
    raw = out.getvalue()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in head.replace(b"\r\n", b"")  # no bare LF anywhere in the headers
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"List-Unsubscribe: <https://comments.example/u/" + b"y" * 60 + b">\r\n" in head
    assert head.count(b"\r\n ") >= 1  # the long encoded subject folds, as RFC 2047 wants
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == subject
    assert mail.get_body(("plain",)).get_content() == "Zeile eins\nZeile zwei\n"
    boundary = mail.get_boundary()
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain", "text/html"]
    assert raw.count(b"--" + boundary.encode()) == 3  # two parts and the closing line
