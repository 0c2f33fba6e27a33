"""The pipelined Redis connection that gevent workers use (redis_pipeline.py), against a real
Redis. gevent's patching cannot be undone, so each check runs in a child process that patches
first, as ``engage serve`` does, and prints what it saw as JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.servers import ROOT

PRELUDE = r"""
import json, os, sys
from engage.serving.worker_classes import prepare_process
prepare_process("gevent")
import gevent, redis
from engage.pageviews.backends.redis import commands_for_this_process, connect
from engage.pageviews.backends.redis_wire import pack
url, prefix = sys.argv[1], sys.argv[2]
shared = connect(url)
wire = commands_for_this_process(shared)

def together(calls):
    greenlets = [gevent.spawn(call) for call in calls]
    gevent.joinall(greenlets)
    return [g.value if g.successful() else f"{type(g.exception).__name__}: {g.exception}"
            for g in greenlets]
"""


def _child(body: str, redis_url: str, redis_prefix: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PRELUDE + body, redis_url, redis_prefix],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_concurrent_callers_share_one_connection_in_batches_and_each_gets_its_own_replies(
        redis_url, redis_prefix):
    seen = _child(r"""
replies = together([lambda: wire.run([pack("INCR", prefix + "n"), pack("CLIENT", "ID")])
                    for _ in range(200)])
print(json.dumps({"kind": type(wire).__name__, "numbers": sorted(r[0] for r in replies),
                  "connections": len({r[1] for r in replies}), "calls": wire.calls,
                  "batches": wire.batches_sent}))
""", redis_url, redis_prefix)
    assert seen["kind"] == "PipelinedConnection"
    assert seen["numbers"] == list(range(1, 201))  # every caller got its own INCR's reply
    assert seen["connections"] == 1
    assert seen["calls"] == 200 and seen["batches"] < 200


def test_one_sender_sleeps_between_busy_spells_and_wakes_for_new_calls(redis_url, redis_prefix):
    seen = _child(r"""
first = together([lambda: wire.run([pack("INCR", prefix + "n")]) for _ in range(5)])
sender = wire._sender
gevent.sleep(0.05)  # the queue is empty: the sender sleeps
second = together([lambda: wire.run([pack("INCR", prefix + "n")]) for _ in range(5)])
print(json.dumps({"numbers": sorted(r[0] for r in first + second),
                  "same_sender": wire._sender is sender and not sender.dead}))
""", redis_url, redis_prefix)
    assert seen == {"numbers": list(range(1, 11)), "same_sender": True}


def test_an_error_reply_goes_to_its_caller_only(redis_url, redis_prefix):
    seen = _child(r"""
wire.run([pack("SET", prefix + "s", "text")])
replies = together([lambda: wire.run([pack("GET", prefix + "s")]),
                    lambda: wire.run([pack("HGET", prefix + "s", "f"), pack("GET", prefix + "s")]),
                    lambda: wire.run([pack("GET", prefix + "s")])])
print(json.dumps({"replies": [r if isinstance(r, str) else [v.decode() for v in r]
                              for r in replies]}))
""", redis_url, redis_prefix)
    first, failed, last = seen["replies"]
    assert first == ["text"] and last == ["text"]
    assert failed.startswith("ResponseError: WRONGTYPE")


def test_a_killed_connection_and_a_forgotten_script_are_recovered(redis_url, redis_prefix):
    seen = _child(r"""
[first_id] = wire.run([pack("CLIENT", "ID")])
shared.client_kill_filter(_id=first_id)
[second_id] = wire.run([pack("CLIENT", "ID")])
source = "return redis.call('INCR', KEYS[1])"
sha = shared.script_load(source)
before = wire.script(sha, source, [prefix + "c"], [])
shared.script_flush()
after = wire.script(sha, source, [prefix + "c"], [])
print(json.dumps({"new_connection": second_id != first_id, "scripted": [before, after]}))
""", redis_url, redis_prefix)
    assert seen == {"new_connection": True, "scripted": [1, 2]}


def test_a_forked_child_uses_its_own_connection(redis_url, redis_prefix):
    seen = _child(r"""
[parent_id] = wire.run([pack("CLIENT", "ID")])
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(write_end, b"%d" % wire.run([pack("CLIENT", "ID")])[0])
    os._exit(0)
os.close(write_end)
child_id = int(os.read(read_end, 64))
os.waitpid(pid, 0)
print(json.dumps({"different": child_id != parent_id,
                  "parent_intact": wire.run([pack("CLIENT", "ID")])[0] == parent_id}))
""", redis_url, redis_prefix)
    assert seen == {"different": True, "parent_intact": True}


def test_with_redis_unreachable_every_caller_gets_an_error_and_none_hangs(redis_url,
                                                                         redis_prefix):
    seen = _child(r"""
import socket
with socket.socket() as probe:  # a port nobody listens on
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
wire = commands_for_this_process(connect(f"redis://127.0.0.1:{port}/0"))
with gevent.Timeout(30):
    replies = together([lambda: wire.run([pack("PING")]) for _ in range(20)])
print(json.dumps({"errors": sorted({r.split(":")[0] for r in replies})}))
""", redis_url, redis_prefix)
    assert seen == {"errors": ["ConnectionError"]}
