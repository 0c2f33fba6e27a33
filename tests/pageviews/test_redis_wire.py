"""The hand-packed per-view Redis path, against a real Redis."""

from __future__ import annotations

import os
import threading

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

from engage.pageviews.backends.redis import connect
from engage.pageviews.backends.redis_wire import IdleConnections, pack


@pytest.fixture
def wire(redis_url, redis_prefix):
    shared = connect(redis_url)
    yield IdleConnections(shared), redis_prefix, shared
    for key in shared.scan_iter(match=redis_prefix + "*"):
        shared.delete(key)
    shared.close()


def test_packed_commands_carry_text_bytes_and_numbers(wire):
    connections, prefix, shared = wire
    key = prefix + "wire:ünïcode/key"
    assert connections.run([pack("SET", key, "vålue\r\n$3"), pack("GET", key),
                            pack("INCRBY", prefix + "n", 41), pack("INCR", prefix + "n")]) == [
        b"OK", "vålue\r\n$3".encode(), 41, 42]
    assert shared.get(key) == "vålue\r\n$3".encode()


def test_an_error_reply_is_raised_and_the_connection_stays_in_step(wire):
    connections, prefix, _ = wire
    connections.run([pack("SET", prefix + "s", "text")])
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        connections.run([pack("HGET", prefix + "s", "f"), pack("GET", prefix + "s")])
    assert connections.run([pack("GET", prefix + "s")]) == [b"text"]


def test_a_script_redis_forgot_is_sent_in_full(wire):
    connections, prefix, shared = wire
    source = "return redis.call('INCR', KEYS[1])"
    sha = shared.script_load(source)
    assert connections.script(sha, source, [prefix + "c"], []) == 1
    shared.script_flush()  # as after a Redis restart
    assert connections.script(sha, source, [prefix + "c"], []) == 2


def test_a_dropped_connection_is_replaced_on_the_next_call(wire):
    connections, prefix, shared = wire
    [my_id] = connections.run([pack("CLIENT", "ID")])
    shared.client_kill_filter(_id=my_id)
    assert connections.run([pack("PING")]) == [b"PONG"]
    [new_id] = connections.run([pack("CLIENT", "ID")])
    assert new_id != my_id


def test_callers_at_the_same_time_never_share_a_connection_and_idle_ones_are_reused(wire):
    connections, prefix, _ = wire
    callers = 4
    together = threading.Barrier(callers)
    ids = []

    def call():
        together.wait()
        # BLPOP keeps each caller inside run() for 0.3 s, so all four overlap there.
        ids.append(connections.run([pack("BLPOP", prefix + "never", "0.3"),
                                    pack("CLIENT", "ID")])[1])

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == callers
    assert connections.idle == callers
    for _ in range(10):  # one caller at a time: no new connection is opened
        assert connections.run([pack("CLIENT", "ID")])[0] in ids
    assert connections.idle == callers


def test_a_forked_child_opens_its_own_connection(wire):
    connections, _, _ = wire
    [parent_id] = connections.run([pack("CLIENT", "ID")])
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report the id its call used, never run pytest's teardown
        try:
            os.write(write_end, b"%d" % connections.run([pack("CLIENT", "ID")])[0])
        finally:
            os._exit(0)
    os.close(write_end)
    child_id = int(os.read(read_end, 64))
    os.waitpid(pid, 0)
    assert child_id != parent_id
    assert connections.run([pack("CLIENT", "ID")]) == [parent_id]  # the parent's is intact


# The per-view script call as the hand-written packer engage used before hiredis wrote it.
PER_VIEW = ("EVALSHA", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4", 4,
            "engage:v:seen:1f2e3d4c5b6a7988", "engage:v:pending:/news/ünï", "engage:v:dirty",
            "engage:v:gen", 1716200000, 86400, "2024-05-20", "/news/ünï")
PER_VIEW_BYTES = (
    b"*11\r\n$7\r\nEVALSHA\r\n$40\r\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4\r\n$1\r\n4\r\n"
    b"$30\r\nengage:v:seen:1f2e3d4c5b6a7988\r\n$28\r\nengage:v:pending:/news/\xc3\xbcn\xc3\xaf\r\n"
    b"$14\r\nengage:v:dirty\r\n$12\r\nengage:v:gen\r\n$10\r\n1716200000\r\n$5\r\n86400\r\n"
    b"$10\r\n2024-05-20\r\n$11\r\n/news/\xc3\xbcn\xc3\xaf\r\n")


def test_the_per_view_command_is_packed_to_the_same_bytes_as_before():
    assert pack(*PER_VIEW) == PER_VIEW_BYTES


@given(st.lists(st.one_of(st.text(), st.binary(), st.integers()), max_size=12))
def test_pack_writes_the_bytes_redis_pys_python_packer_writes(args):
    from redis._parsers.encoders import Encoder
    from redis.connection import PythonRespSerializer

    reference = PythonRespSerializer(6000, Encoder("utf-8", "strict", False).encode)
    args = ["EVALSHA", *args]  # a first argument with a space would be split by redis-py
    assert pack(*args) == b"".join(reference.pack(*args))
