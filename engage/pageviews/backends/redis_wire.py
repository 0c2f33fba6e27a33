"""The per-view Redis commands, packed by hand and sent on a connection of the thread's own.

Why not the redis-py client: every view in Redis mode is one script call, and on this
project's 2-core machine redis-py spent about 35 µs of CPU per command above the socket round
trip itself (argument encoding, retry and health-check wrappers, and a shared connection pool
whose lock every request thread takes twice per command; a thread preempted while holding it
stalls the others, the lock convoy ``tally.py`` describes). Here a command is packed into RESP
bytes and written on the calling thread's own ``redis.connection.Connection``, which still does
the connecting, timeouts and reply parsing (hiredis when installed), with the settings of the
client ``backends.redis.connect`` builds.

Tried and not kept: auto-pipelining (one sender thread per process writing every queued
command in one batch, as ioredis does). It cut Redis's CPU per view from about 52 to 38 µs,
but the two thread hand-offs per view cost more in engage (424 → 492 µs of server CPU per
view in ``bench/views.py``).

Failure semantics match that client: a connection or timeout error closes the connection and
the commands are sent once more on a new one (a script that ran but whose reply was lost then
answers "already counted": the view is counted once, the reply may say it was not); a second
failure is raised, for ``FailoverCounter``. An error reply (such as ``NOSCRIPT`` after Redis
lost its script cache) is raised once every reply of the call has been read.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

Arg = bytes | str | int


def pack(*args: Arg) -> bytes:
    """One command as a RESP array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif isinstance(arg, int):
            arg = b"%d" % arg
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


class ThreadConnections:
    """Commands sent on one connection per thread (and per process: after a fork each thread
    of the child makes its own)."""

    def __init__(self, shared: redis.Redis):
        self._pool = shared.connection_pool
        self._local = threading.local()

    def _connection(self):
        mine = getattr(self._local, "connection", None)
        if mine is None or mine[0] != os.getpid():
            mine = self._local.connection = (
                os.getpid(), self._pool.connection_class(**self._pool.connection_kwargs))
        return mine[1]

    def run(self, packed: Sequence[bytes]) -> list:
        """Send ``packed`` commands in one write and return their replies, in order."""
        connection = self._connection()
        for attempt in (1, 2):
            try:
                connection.send_packed_command([b"".join(packed)], check_health=False)
                replies = [_read(connection) for _ in packed]
                break
            except (RedisConnectionError, RedisTimeoutError, OSError):
                connection.disconnect()
                if attempt == 2:
                    raise
            except BaseException:
                connection.disconnect()  # unread replies would answer the next call
                raise
        for reply in replies:
            if isinstance(reply, ResponseError):
                raise reply
        return replies

    def script(self, sha: str, source: str, keys: Sequence[Arg], args: Sequence[Arg]):
        """``EVALSHA`` (``EVAL`` if Redis lost the script): the script's reply."""
        try:
            return self.run([pack("EVALSHA", sha, len(keys), *keys, *args)])[0]
        except NoScriptError:
            return self.run([pack("EVAL", source, len(keys), *keys, *args)])[0]


def _read(connection):
    """The next reply; an error reply is returned, not raised, so the stream stays in step."""
    try:
        return connection.read_response()
    except ResponseError as error:
        return error
