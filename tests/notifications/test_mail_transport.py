"""The SMTP transport against real servers: URL forms, STARTTLS, and how failures are sorted."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from engage.notifications.delivery import RetryLater, Undeliverable
from engage.notifications.mail import transport
from engage.notifications.mail.transport import RecipientRefused, SmtpSettings
from tests.notifications.smtp_sink import SmtpSink, _Handler
from tests.servers import free_port


def _message(to="reader@example.org") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "engage@example.org", to, "Hello"
    message.set_content("Hi.")
    return message


def test_urls_are_parsed_and_bad_ones_refused():
    plain = SmtpSettings.parse("smtp://mail.example:2525")
    assert (plain.host, plain.port, plain.starttls, plain.implicit_tls) == ("mail.example", 2525,
                                                                          False, False)
    upgraded = SmtpSettings.parse("smtp://u%40x:p%3Aw@mail.example:587?starttls=1")
    assert upgraded.starttls and (upgraded.username, upgraded.password) == ("u@x", "p:w")
    assert SmtpSettings.parse("smtps://mail.example").port == 465
    for bad in ("http://mail.example", "smtp://", "smtp://mail.example:99999"):
        with pytest.raises(ValueError):
            SmtpSettings.parse(bad)


def test_refusal_deferral_and_drop_are_sorted():
    with SmtpSink() as sink:
        settings = SmtpSettings.parse(sink.url)
        transport.send(settings, _message(), 5)
        assert len(sink.messages) == 1
        sink.set_mode("refuse")
        with pytest.raises(RecipientRefused):
            transport.send(settings, _message(), 5)
        sink.set_mode("defer")
        with pytest.raises(RetryLater):
            transport.send(settings, _message(), 5)
        sink.set_mode("drop")
        with pytest.raises(RetryLater):
            transport.send(settings, _message(), 5)
    assert issubclass(RecipientRefused, Undeliverable)


def test_a_server_that_never_answers_times_out_as_retry_later():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    try:
        with pytest.raises(RetryLater):
            transport.send(SmtpSettings("127.0.0.1", listener.getsockname()[1]), _message(), 0.5)
    finally:
        listener.close()
    with pytest.raises(RetryLater):  # nothing listens
        transport.send(SmtpSettings("127.0.0.1", free_port()), _message(), 0.5)


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_starttls_upgrades_and_checks_the_certificate(certificate):
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                            tls_context=server_context, require_starttls=True)
    controller.start()
    try:
        settings = SmtpSettings.parse(f"smtp://127.0.0.1:{controller.port}?starttls=1")
        trusting = ssl.create_default_context(cafile=str(cert))
        transport.send(settings, _message(), 5, tls_context=trusting)
        assert len(handler.messages) == 1
        with pytest.raises(RetryLater):  # a certificate the system does not trust
            transport.send(settings, _message(), 5)
        with pytest.raises((RetryLater, Undeliverable)):  # no STARTTLS: the server refuses
            transport.send(SmtpSettings("127.0.0.1", controller.port), _message(), 5)
        assert len(handler.messages) == 1
    finally:
        controller.stop()


def test_serve_says_why_no_mail_is_sent(tmp_path):
    from engage import create_app  # imported here: this test builds its own apps
    from engage.cli import _startup_messages

    def lines(**config):
        app = create_app({"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path),
                          "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", **config})
        with app.app_context():
            return [line for line in _startup_messages(app) if "Mail" in line]

    assert lines() == [lines()[0]] and "ENGAGE_SMTP_URL" in lines()[0]
    [only] = lines(SMTP_URL="smtp://127.0.0.1:2525")
    assert "ENGAGE_PUBLIC_URL" in only
    assert lines(SMTP_URL="smtp://127.0.0.1:2525", PUBLIC_URL="https://c.example") == []
    with pytest.raises(ValueError):
        lines(SMTP_URL="http://nope")


def test_connections_are_reused_and_a_closed_one_replaced():
    with SmtpSink() as sink:
        connections = transport.Connections(SmtpSettings.parse(sink.url), 5, keep=2)
        for _ in range(3):
            connections.send(_message())
        assert len(sink.messages) == 3 and sink.handler.greetings == 1
        sink.set_mode("refuse")
        with pytest.raises(RecipientRefused):
            connections.send(_message())
        sink.set_mode("accept")
        connections.send(_message())  # the refused one's connection was not kept
        assert sink.handler.greetings == 2
        connections.close()
        connections.send(_message())
        assert len(sink.messages) == 5 and sink.handler.greetings == 3
        [(_, kept)] = connections._idle  # the connection breaks while it waits
        kept.sock.shutdown(socket.SHUT_RDWR)
        connections.send(_message())
        assert len(sink.messages) == 6 and sink.handler.greetings == 4
