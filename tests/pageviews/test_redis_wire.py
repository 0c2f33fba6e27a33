"""The hand-packed per-view Redis path, against a real Redis."""

from __future__ import annotations

import threading

import pytest
import redis

from engage.pageviews.backends.redis import connect
from engage.pageviews.backends.redis_wire import ThreadConnections, pack


@pytest.fixture
def wire(redis_url, redis_prefix):
    shared = connect(redis_url)
    yield ThreadConnections(shared), redis_prefix, shared
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


def test_each_thread_has_its_own_connection(wire):
    connections, _, _ = wire
    ids = []
    threads = [threading.Thread(target=lambda: ids.append(connections.run([pack("CLIENT", "ID")])[0]))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 3
