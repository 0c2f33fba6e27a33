"""Start and stop real engage servers (``engage serve``, gunicorn) for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
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


class EngageServer:
    """One ``engage serve`` process on 127.0.0.1:``port``; ``url`` has no trailing slash."""

    def __init__(self, settings: dict, port: int, workers: int = 1, threads: int = 8):
        self.settings = settings
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.args = ["serve", "--host", "127.0.0.1", "--port", str(port),
                     "--workers", str(workers), "--threads", str(threads)]
        self.process: subprocess.Popen | None = None
        self.log_path = Path(settings.get("INSTANCE_PATH", "/tmp")) / f"server-{port}.log"

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "engage", *self.args],
                                        env=engage_env(self.settings), cwd=ROOT,
                                        stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"engage serve exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"engage serve did not become healthy: {self.log()}")

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM (graceful stop), then wait; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
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
