"""DrainedQueue: items reach ``handle`` in order, from its thread or from drain(); a forked
child starts empty."""

from __future__ import annotations

import os
import time

from engage.observability.drained_queue import DrainedQueue


def test_items_are_handed_over_in_order_by_the_thread_and_by_drain():
    batches = []
    queue = DrainedQueue(batches.append, every=0.02, name="test-drained")
    for n in range(3):
        queue.put(n)
    deadline = time.monotonic() + 5
    while not batches and time.monotonic() < deadline:
        time.sleep(0.01)
    queue.put(3)
    queue.drain()
    assert [item for batch in batches for item in batch] == [0, 1, 2, 3]


def test_a_forked_child_does_not_handle_its_parents_items():
    batches = []
    queue = DrainedQueue(batches.append, every=3600, name="test-drained-fork")
    queue.put("parent's")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        queue.put("child's")
        queue.drain()
        os.write(write_end, repr(batches).encode())
        os._exit(0)
    os.close(write_end)
    child_saw = os.read(read_end, 1000).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    queue.drain()
    assert child_saw == "[[\"child's\"]]"
    assert batches == [["parent's"]]
