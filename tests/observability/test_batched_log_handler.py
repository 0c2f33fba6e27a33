"""BatchedStreamHandler: INFO lines written later in batches, warnings at once, nothing lost."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest

from engage.observability.logging import BatchedStreamHandler, JsonFormatter, log_request


@pytest.fixture
def handler_and_stream():
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("engage.test-batched")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, handler, stream
    logger.removeHandler(handler)


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_info_lines_are_queued_then_written_by_the_writer_thread(handler_and_stream):
    logger, handler, stream = handler_and_stream
    logger.info("one %s", "arg")
    assert stream.getvalue() == ""  # queued, not written by the calling thread
    deadline = time.monotonic() + 5
    while not stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [line["msg"] for line in _lines(stream)] == ["one arg"]


def test_a_warning_is_written_at_once_after_what_was_queued_before_it(handler_and_stream):
    logger, handler, stream = handler_and_stream
    logger.info("first")
    logger.debug("second")
    logger.warning("third")
    assert [line["msg"] for line in _lines(stream)] == ["first", "second", "third"]


def test_an_exception_is_written_at_once_with_its_traceback(handler_and_stream):
    logger, _, stream = handler_and_stream
    try:
        raise ValueError("boom")
    except ValueError:
        logger.info("failed", exc_info=True)
    [line] = _lines(stream)
    assert "ValueError: boom" in line["error"]


def test_flush_writes_everything_queued(handler_and_stream):
    logger, handler, stream = handler_and_stream
    for n in range(500):
        logger.info("line %d", n)
    handler.flush()
    assert [line["msg"] for line in _lines(stream)] == [f"line {n}" for n in range(500)]


def test_the_message_is_fixed_when_logged_not_when_written(handler_and_stream):
    logger, handler, stream = handler_and_stream
    changing = ["before"]
    logger.info("value %s", changing)
    changing[0] = "after"
    handler.flush()
    assert _lines(stream)[0]["msg"] == "value ['before']"


def test_the_request_id_of_a_line_is_the_one_of_its_request(app, handler_and_stream):
    logger, handler, stream = handler_and_stream
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "req-12345678"
        logger.info("inside a request")
    handler.flush()  # formatted outside the request, on this thread
    assert _lines(stream)[0]["request_id"] == "req-12345678"


def test_the_request_record_goes_through_the_batched_handler(handler_and_stream):
    _, handler, stream = handler_and_stream
    request_logger = logging.getLogger("engage.request")
    request_logger.addHandler(handler)
    old = request_logger.level
    request_logger.setLevel(logging.INFO)
    try:
        log_request("POST", "/api/v1/views", 200, 0.0015, "rid-abcdefgh", "10.1.2.0/24")
        handler.flush()
    finally:
        request_logger.removeHandler(handler)
        request_logger.setLevel(old)
    [line] = [entry for entry in _lines(stream) if entry["logger"] == "engage.request"]
    assert (line["msg"], line["request_id"], line["duration_ms"], line["client"]) == (
        "POST /api/v1/views 200", "rid-abcdefgh", 1.5, "10.1.2.0/24")


def test_flushing_with_the_handler_lock_held_while_the_writer_waits_does_not_hang(
        handler_and_stream):
    """logging.shutdown holds the handler's lock while it flushes. The writer thread must not
    hold another lock while it waits for that one (it once did: a deadlock at exit)."""
    import threading

    logger, handler, stream = handler_and_stream
    logger.info("queued")
    done = threading.Event()

    def shutdown_like():
        handler.acquire()
        try:
            time.sleep(3 * handler.WRITE_SECONDS)  # the writer thread now waits to drain
            logger.info("queued while locked")
            handler.flush()
        finally:
            handler.release()
        done.set()

    threading.Thread(target=shutdown_like, daemon=True).start()
    assert done.wait(10), "flush under the handler's lock deadlocked with the writer thread"
    handler.flush()
    assert [line["msg"] for line in _lines(stream)] == ["queued", "queued while locked"]
