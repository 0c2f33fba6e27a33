"""A small closed-loop HTTP load generator for the benchmarks (threads, keep-alive).

Each worker thread keeps one persistent connection and sends requests back to back for a fixed
time; ``run_load`` returns completed requests, errors, statuses and latencies. Both sides of a
comparison are driven by the same code with the same concurrency, so the ratio is fair even
though Python is not the fastest load generator.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

# A request factory returns (method, path, body bytes or None, headers) for request number n.
RequestFactory = Callable[[int], tuple[str, str, bytes | None, dict]]


@dataclass
class LoadResult:
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def completed(self) -> int:
        return sum(self.statuses.values())

    @property
    def rps(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> str:
        return (f"{self.rps:8.1f} req/s  p50 {self.percentile(50) * 1000:6.1f} ms  "
                f"p99 {self.percentile(99) * 1000:6.1f} ms  errors {self.errors}  "
                f"statuses {dict(self.statuses)}")


def run_load(base_url: str, factory: RequestFactory, *, concurrency: int = 8,
             seconds: float = 5.0, max_requests: int | None = None) -> LoadResult:
    """Drive ``base_url`` with ``concurrency`` threads for ``seconds`` (or ``max_requests``)."""
    parts = urlsplit(base_url)
    counter = iter(range(max_requests if max_requests is not None else 10**12))
    lock = threading.Lock()
    result = LoadResult(seconds=0.0)
    deadline = time.monotonic() + seconds

    def worker():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local_statuses, local_latencies, local_errors = Counter(), [], 0
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            method, path, body, headers = factory(n)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                local_statuses[response.status] += 1
                local_latencies.append(time.perf_counter() - started)
            except (OSError, http.client.HTTPException):
                local_errors += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.close()
        with lock:
            result.statuses.update(local_statuses)
            result.latencies.extend(local_latencies)
            result.errors += local_errors

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def interleaved(targets: list[tuple[str, RequestFactory]], *, concurrency: int = 8,
                seconds: float = 5.0, slice_seconds: float = 0.5) -> list[LoadResult]:
    """``run_load`` of each (base URL, factory) for ``seconds`` in all, taking turns in slices
    of ``slice_seconds``: on a shared machine a neighbour's burst then lands on every side
    alike, so the ratios of the results stay comparable. Request numbers keep counting across
    slices (a factory that makes distinct requests still never repeats one)."""
    results = [LoadResult(seconds=0.0) for _ in targets]
    made = [0] * len(targets)
    for _ in range(max(1, round(seconds / slice_seconds))):
        for index, (url, factory) in enumerate(targets):
            start = made[index]
            part = run_load(url, lambda n, f=factory, s=start: f(s + n),
                            concurrency=concurrency, seconds=slice_seconds)
            made[index] += part.completed + part.errors + concurrency
            total = results[index]
            total.seconds += part.seconds
            total.statuses.update(part.statuses)
            total.latencies.extend(part.latencies)
            total.errors += part.errors
    return results


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
