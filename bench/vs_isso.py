"""engage next to Isso 0.14, the peer, under the same gunicorn settings and the same wrk load.

1. install Isso 0.14 from PyPI in its own virtual environment (with gunicorn and gevent), in a
   temporary directory (not timed; ``--isso-venv DIR`` reuses one);
2. start ``engage serve`` and Isso (``gunicorn isso.run``) with 2 gevent workers each on fresh
   SQLite databases; engage with every moderation rule at its default and the spam filter on
   (its starter model included), Isso with its guard on (rate limit, reply rules); both trust
   ``X-Forwarded-For`` from 127.0.0.1;
3. posts: wrk sends distinct comments from distinct readers (every request a new /24 network,
   a new name, email and text; 50 articles), each to its own API; every answer must be 2xx
   (engage: 201 published or 202 held; Isso: 201);
4. reads: a 200-comment thread (seeded through each one's API), the whole thread in one read
   (engage: ``limit=200``; Isso: ``GET /?uri=``);
5. ``--rounds`` rounds, alternating which server goes first; the best rate of each (load
   from the machine's neighbours only ever slows a run down) and the ratio engage/Isso.

Targets (issue 22): posts ≥ 2.0× Isso, thread reads ≥ 50× Isso.

Usage: ``.venv/bin/python bench/vs_isso.py [--duration 5] [--rounds 3] [--connections 16]
[--isso-venv DIR]``. Needs ``wrk`` (Debian: ``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import EngageServer, ServerProcess, free_port  # noqa: E402

ISSO = "isso==0.14.0"
WORKERS = 2
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
THREAD = "/bench/thread"

# Every request is a new reader on a new /24 network. args: kind (engage | isso), offset.
POST_SCRIPT = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  kind = args[1]
  base = tonumber(args[2] or "0")
  n, good, bad = 0, 0, 0
end
function request()
  n = n + 1
  local index = base + (id - 1) * 1000000 + n
  local ip = string.format("%d.%d.%d.1", 11 + math.floor(index / 65536) % 200,
                           math.floor(index / 256) % 256, index % 256)
  local text = "Reader " .. index .. " thinks the piece on topic " .. (index % 97) ..
               " makes a fair point about the budget, number " .. index .. "."
  local headers = {["X-Forwarded-For"] = ip, ["User-Agent"] = "%BROWSER%",
                   ["Content-Type"] = "application/json"}
  local article = "/bench/a" .. (index % 50)
  if kind == "engage" then
    return wrk.format("POST", "/api/v1/comments", headers, string.format(
      '{"article":"%s","author_name":"Reader %d","author_email":"reader%d@example.org","body":"%s"}',
      article, index, index, text))
  end
  return wrk.format("POST", "/new?uri=" .. article, headers, string.format(
    '{"title":"Bench","author":"Reader %d","email":"reader%d@example.org","website":null,"text":"%s"}',
    index, index, text))
end
function response(status, headers, body)
  if status >= 200 and status < 300 then good = good + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do g = g + t:get("good"); b = b + t:get("bad") end
  io.write(string.format('WRKJSON {"good": %d, "bad": %d, "errors": %d, "p50_ms": %.2f, "p99_ms": %.2f}\n',
    g, b, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
""".replace("%BROWSER%", BROWSER)

READ_SCRIPT = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  path = args[1]
  good, bad = 0, 0
end
function request()
  return wrk.format("GET", path, {["User-Agent"] = "%BROWSER%"})
end
function response(status, headers, body)
  if status == 200 then good = good + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do g = g + t:get("good"); b = b + t:get("bad") end
  io.write(string.format('WRKJSON {"good": %d, "bad": %d, "errors": %d, "p50_ms": %.2f, "p99_ms": %.2f}\n',
    g, b, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
""".replace("%BROWSER%", BROWSER)


class IssoServer(ServerProcess):
    """Isso 0.14 under gunicorn; ready once ``GET /config`` answers (Isso has no /healthz)."""

    def __init__(self, venv: Path, config: Path, port: int, log_path: Path):
        argv = [str(venv / "bin" / "gunicorn"), "-w", str(WORKERS), "-k", "gevent",
                "-b", f"127.0.0.1:{port}", "--log-level", "warning", "isso.run"]
        env = {"PATH": os.environ.get("PATH", ""), "ISSO_SETTINGS": str(config)}
        super().__init__(argv, env, port, log_path, name="isso")

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"isso exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/config", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"isso did not start: {self.log()}")


def install_isso(work: Path) -> Path:
    venv = work / "isso-venv"
    print(f"installing {ISSO} (with gunicorn, gevent) in {venv} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", ISSO, "gunicorn", "gevent", "packaging"],
                   check=True)
    return venv


def isso_config(work: Path, port: int) -> Path:
    path = work / "isso.cfg"
    path.write_text(f"""[general]
dbpath = {work / 'isso.db'}
host = http://127.0.0.1:{port}/
[moderation]
enabled = false
[server]
trusted-proxies = 127.0.0.1
[guard]
enabled = true
""")
    return path


def post_json(url: str, payload: dict, forwarded_for: str) -> int:
    request = urllib.request.Request(url, json.dumps(payload).encode(), method="POST", headers={
        "Content-Type": "application/json", "User-Agent": BROWSER,
        "X-Forwarded-For": forwarded_for})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status


def seed_threads(engage, isso, count: int) -> None:
    """``count`` comments on THREAD in each, from distinct readers."""
    for n in range(count):
        ip = f"9.{n // 256}.{n % 256}.1"
        text = f"Seeded comment {n}: a remark on the bridge, the budget and the weather."
        post_json(engage.url + "/api/v1/comments",
                  {"article": THREAD, "author_name": f"Seed {n}",
                   "author_email": f"seed{n}@example.org", "body": text}, ip)
        post_json(f"{isso.url}/new?uri={THREAD}",
                  {"title": "Bench", "author": f"Seed {n}", "email": f"seed{n}@example.org",
                   "website": None, "text": text}, ip)


def thread_size(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as answer:
        data = json.load(answer)
    return len(data["comments"] if "comments" in data else data["replies"])


def wrk(url: str, script: Path, seconds: int, connections: int, *args: str) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url, "--", *args],
        capture_output=True, text=True, check=True).stdout
    line = next(l for l in output.splitlines() if l.startswith("WRKJSON "))
    result = json.loads(line[len("WRKJSON "):])
    result["rps"] = result["good"] / seconds
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--isso-venv", type=Path, help="a virtual environment with Isso 0.14")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="engage-vs-isso-"))
    venv = args.isso_venv or install_isso(work)
    (work / "engage").mkdir()
    engage = EngageServer({"INSTANCE_PATH": str(work / "engage"), "SECRET_KEY": "bench",
                           "DEMO_ENABLED": False, "TRUSTED_PROXIES": "127.0.0.1"},
                          port=free_port(), workers=WORKERS)
    isso_port = free_port()
    isso = IssoServer(venv, isso_config(work, isso_port), isso_port, work / "isso.log")
    post_lua, read_lua = work / "posts.lua", work / "reads.lua"
    post_lua.write_text(POST_SCRIPT)
    read_lua.write_text(READ_SCRIPT)
    best: dict[tuple[str, str], dict] = {}
    try:
        engage.start()
        isso.start()
        seed_threads(engage, isso, 200)
        reads = {"engage": (engage.url, f"/api/v1/comments?article={THREAD}&limit=200"),
                 "isso": (isso.url, f"/?uri={THREAD}")}
        for name, (base, path) in reads.items():
            size = thread_size(base + path)
            assert size == 200, f"{name}'s thread has {size} comments"
        print(f"gunicorn, {WORKERS} gevent workers each, SQLite; wrk 2 threads, "
              f"{args.connections} connections, {args.duration} s per run, {args.rounds} rounds")
        offset = 0
        servers = {"engage": engage, "isso": isso}
        for round_number in range(args.rounds):
            order = ["engage", "isso"] if round_number % 2 == 0 else ["isso", "engage"]
            for name in order:
                offset += 1_000_000 * 4
                post = wrk(servers[name].url + "/", post_lua, args.duration, args.connections,
                           name, str(offset))
                base, path = reads[name]
                read = wrk(base + "/", read_lua, args.duration, args.connections, path)
                for kind, result in (("posts", post), ("reads", read)):
                    print(f"  round {round_number + 1} {name:6} {kind}: {result['rps']:8.1f}/s  "
                          f"p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms  "
                          f"non-2xx {result['bad']}  socket errors {result['errors']}",
                          flush=True)
                    if result["bad"]:
                        raise SystemExit(f"{name} answered {result['bad']} {kind} with an error")
                    key = (name, kind)
                    if key not in best or result["rps"] > best[key]["rps"]:
                        best[key] = result
    finally:
        engage.stop()
        isso.stop()
    for kind, target in (("posts", 2.0), ("reads", 50.0)):
        ratio = best[("engage", kind)]["rps"] / best[("isso", kind)]["rps"]
        verdict = "meets" if ratio >= target else "misses"
        print(f"{kind}: engage {best[('engage', kind)]['rps']:.1f}/s, Isso "
              f"{best[('isso', kind)]['rps']:.1f}/s: {ratio:.2f}x ({verdict} the {target:g}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
