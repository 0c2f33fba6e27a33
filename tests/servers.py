"""Start, health-check and stop real servers on loopback, for end-to-end tests and benchmarks.

The one place that starts server processes: ``engage serve`` (gunicorn) as ``EngageServer``,
the benchmarks' bare Flask baseline (``bench/bare_app.py``) as ``BareServer``, and any other
command (a benchmark's variant of engage) as ``ServerProcess``. Every server listens on
127.0.0.1, is ready when ``GET /healthz`` answers 200, appends its output to ``log_path`` and
stops gracefully on SIGTERM. ``bench/`` imports this module from the repository root.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def engage_env(settings: dict) -> dict[str, str]:
    """The process environment for ``settings`` given as config keys (``FOO`` → ``ENGAGE_FOO``)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ENGAGE_")}
    for key, value in settings.items():
        if isinstance(value, bool):
            value = "1" if value else "0"
        elif isinstance(value, (tuple, list)):
            value = ",".join(value)
        env[f"ENGAGE_{key}"] = str(value)
    return env


class ServerProcess:
    """The command ``argv`` (run in the repository root with ``env``) serving on 127.0.0.1:``port``.

    ``url`` has no trailing slash; ``process`` is None until ``launch``. Nothing is started by
    the constructor, so several servers can be launched first and waited for together.
    """

    def __init__(self, argv: list[str], env: dict[str, str], port: int, log_path: Path,
                 name: str = "server"):
        self.argv, self.env, self.name = argv, env, name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(log_path)
        self.process: subprocess.Popen | None = None

    def launch(self) -> None:
        """Start the process and return at once (see ``wait_healthy``)."""
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=ROOT,
                                            stdout=log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 60) -> None:
        """Return once ``GET /healthz`` answers 200; RuntimeError (with the log's end) if the
        process exits or ``timeout`` seconds pass first (the process is then stopped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not become healthy: {self.log()}")

    def start(self, timeout: float = 60) -> None:
        """``launch``, then ``wait_healthy``."""
        self.launch()
        self.wait_healthy(timeout)

    def terminate(self) -> None:
        """Send SIGTERM (graceful stop) if the process runs; does not wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM (graceful stop), then wait (SIGKILL after ``timeout`` seconds); returns the
        exit code, or None if the process was never launched. Safe to call again."""
        if self.process is None:
            return None
        self.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


def start_all(servers: Iterable[ServerProcess], timeout: float = 60) -> None:
    """Launch every server, then wait until each is healthy (they start side by side)."""
    servers = list(servers)
    for server in servers:
        server.launch()
    for server in servers:
        server.wait_healthy(timeout)


def stop_all(servers: Iterable[ServerProcess], timeout: float = 30) -> list[int | None]:
    """SIGTERM every server at once (they stop side by side, as a deploy stops them), then
    wait for each; returns their exit codes."""
    servers = list(servers)
    for server in servers:
        server.terminate()
    return [server.stop(timeout) for server in servers]


class EngageServer(ServerProcess):
    """``engage serve`` with ``settings`` (config keys, see ``engage_env``) on ``port``.

    ``migrate=False`` serves with ``--no-migrate`` (the database was migrated once, as a deploy
    does). ``env`` adds variables on top (a benchmark's experiments). The log is
    ``INSTANCE_PATH/server-<port>.log``.
    """

    def __init__(self, settings: dict, port: int, workers: int = 1, threads: int = 8, *,
                 migrate: bool = True, env: dict[str, str] | None = None):
        self.settings = settings
        self.extra_env = dict(env or {})
        self.args = ["serve", "--host", "127.0.0.1", "--port", str(port),
                     "--workers", str(workers), "--threads", str(threads)]
        if not migrate:
            self.args.append("--no-migrate")
        log_path = Path(settings.get("INSTANCE_PATH", "/tmp")) / f"server-{port}.log"
        super().__init__([], {}, port, log_path, name="engage serve")

    def launch(self) -> None:
        # Built here, not in __init__: a caller may still change ``settings`` or ``args``.
        self.argv = [sys.executable, "-m", "engage", *self.args]
        self.env = {**engage_env(self.settings), **self.extra_env}
        super().launch()


class BareServer(ServerProcess):
    """``bench/bare_app.py``: a bare Flask app served by gunicorn the way ``engage serve``
    serves engage, with the worker class of ``ENGAGE_WORKER_CLASS`` in ``env`` (default: this
    process's environment)."""

    def __init__(self, port: int, workers: int, threads: int, log_path: Path,
                 env: dict[str, str] | None = None):
        argv = [sys.executable, str(ROOT / "bench" / "bare_app.py"), str(port), str(workers),
                str(threads)]
        super().__init__(argv, dict(os.environ if env is None else env), port, log_path,
                         name="bare app")


def connection_split(server: "ServerProcess") -> list[int] | None:
    """How many established client connections each gunicorn worker holds, most first
    (None where /proc cannot tell). Read from /proc/net/tcp and each worker's open files."""
    pid = server.process.pid
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            workers = [int(p) for p in f.read().split()]
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                for line in list(f)[1:]:
                    fields = line.split()
                    port = int(fields[1].rsplit(":", 1)[1], 16)
                    if port == server.port and fields[3] == "01":  # 01: ESTABLISHED
                        inodes.add(fields[9])
        split = []
        for pid in workers:
            held = 0
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    held += 1
            split.append(held)
    except OSError:
        return None
    return sorted(split, reverse=True)
