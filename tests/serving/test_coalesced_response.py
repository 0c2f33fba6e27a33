"""gunicorn answers with headers and the first body bytes in one write (coalesced_response.py),
and never loses headers on the paths that do not coalesce. Real sockets, real gunicorn parsing."""

from __future__ import annotations

import socket
import tempfile

import pytest
from gunicorn.config import Config
from gunicorn.http import RequestParser, wsgi

from engage.serving.coalesced_response import CoalescedResponse, install


@pytest.fixture
def exchange(request):
    """A parsed request on a real socket pair; ``peer`` is the client's end. With
    ``@pytest.mark.records`` the pair keeps each write a record of its own (SOCK_SEQPACKET), so
    one ``recv`` returns what one write sent."""
    kind = socket.SOCK_SEQPACKET if request.node.get_closest_marker("records") else \
        socket.SOCK_STREAM
    server, peer = socket.socketpair(socket.AF_UNIX, kind)
    peer.settimeout(0.2)
    cfg = Config()

    def respond(method: str = "GET"):
        peer.sendall(f"{method} /x HTTP/1.1\r\nHost: engage\r\n\r\n".encode())
        request = next(iter(RequestParser(cfg, server, ("127.0.0.1", 1))))
        response, _ = wsgi.create(request, server, ("127.0.0.1", 1), ("127.0.0.1", 8000), cfg,
                                  response_class=CoalescedResponse)
        return response

    yield respond, peer
    server.close()
    peer.close()


def _pending(peer: socket.socket) -> bytes:
    """What the peer can read now (b"" when nothing arrived within its timeout)."""
    try:
        return peer.recv(65536)
    except TimeoutError:
        return b""


@pytest.mark.records
def test_headers_wait_for_the_body_and_go_out_with_it_in_one_write(exchange):
    respond, peer = exchange
    response = respond()
    response.start_response("200 OK", [("Content-Type", "application/json"),
                                       ("Content-Length", "11")])
    assert _pending(peer) == b""  # started, but nothing is on the wire yet
    response.write(b'{"views":1}')
    first_read = _pending(peer)
    assert first_read.startswith(b"HTTP/1.1 200 OK\r\n")
    assert first_read.endswith(b"Content-Length: 11\r\n\r\n{\"views\":1}")
    response.close()
    assert _pending(peer) == b""


def test_a_response_without_body_sends_its_headers_on_close(exchange):
    respond, peer = exchange
    response = respond()
    response.start_response("204 No Content", [])
    response.close()
    assert _pending(peer).startswith(b"HTTP/1.1 204 No Content\r\n")


def test_a_head_answer_whose_body_is_dropped_still_sends_its_headers(exchange):
    respond, peer = exchange
    response = respond("HEAD")
    response.start_response("200 OK", [("Content-Length", "5")])
    response.write(b"hello")  # gunicorn drops the body of a HEAD answer
    received = _pending(peer)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"\r\n\r\n")


def test_chunked_answers_are_framed_as_gunicorn_frames_them(exchange):
    respond, peer = exchange
    response = respond()
    response.start_response("200 OK", [("Content-Type", "text/plain")])  # no length: chunked
    response.write(b"abc")
    response.write(b"de")
    response.close()
    received = b""
    while chunk := _pending(peer):
        received += chunk
    head, body = received.split(b"\r\n\r\n", 1)
    assert b"Transfer-Encoding: chunked" in head
    assert body == b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"


def test_a_file_sent_with_sendfile_follows_its_headers(exchange):
    respond, peer = exchange
    response = respond()
    response.start_response("200 OK", [("Content-Length", "6")])
    with tempfile.TemporaryFile() as file:
        file.write(b"widget")
        file.seek(0)
        response.write_file(wsgi.FileWrapper(file))
    response.close()
    received = b""
    while chunk := _pending(peer):
        received += chunk
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"\r\n\r\nwidget")


def test_install_makes_gunicorn_build_the_coalesced_response():
    original = wsgi.Response
    try:
        assert install() is True
        assert wsgi.Response is CoalescedResponse
    finally:
        wsgi.Response = original
