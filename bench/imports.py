"""Benchmark: importing a big WordPress export, engage against Isso 0.14's own importer.

Run from the repository root: ``.venv/bin/python bench/imports.py [--comments N --posts M]``

1. Writes a WXR 1.2 file with 100,000 comments over 2,000 posts (defaults): per post, three
   in five comments top-level and the rest replies to an earlier one; statuses 85 % approved,
   8 % pending, 5 % spam, 2 % trash; HTML bodies with line breaks and some links.
2. ``engage import wordpress FILE`` on a fresh SQLite database under a temporary directory,
   in its own process: wall time (the process, start-up included) and peak memory (the
   process's maximum resident set size, from ``wait4``).
3. Isso 0.14 from PyPI in its own virtual environment (``python -m venv`` + ``pip install
   isso==0.14.0`` in the same temporary directory) running ``isso -c CFG import -t wordpress
   FILE`` on a fresh database, timed the same way. When Isso cannot be installed or fails,
   this says so and prints engage's figures alone.
Prints comments per second for both, the ratio, and engage's peak memory. Targets: at least
5× Isso's rate and under 200 MB. Exit status 0 when both are met, 2 when not, 1 when Isso could
not be measured.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ISSO = "isso==0.14.0"
TARGET_RATIO = 5.0
TARGET_MB = 200.0
WORDS = ("ferry harbour timetable winter council vote lighthouse market fishing boat weather "
         "storm tide bridge road school library concert festival museum garden train bus "
         "price tax river coast island village mayor report news story photo").split()
STATUSES = ["1"] * 85 + ["0"] * 8 + ["spam"] * 5 + ["trash"] * 2


def write_wxr(path: Path, comments: int, posts: int, seed: int = 17) -> None:
    """A WXR 1.2 export as WordPress's export.php writes it (the elements engage and Isso read)."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    per_post = comments // posts
    comment_id = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
                  'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                  'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
                  '<title>Bench Gazette</title>\n<link>https://bench.example</link>\n'
                  '<wp:wxr_version>1.2</wp:wxr_version>\n'
                  '<wp:base_site_url>https://bench.example</wp:base_site_url>\n')
        for post in range(1, posts + 1):
            count = per_post + (1 if post <= comments - per_post * posts else 0)
            posted = start + timedelta(hours=post * 3)
            out.write(f'<item>\n<title><![CDATA[Story number {post}]]></title>\n'
                      f'<link>https://bench.example/{posted:%Y/%m}/story-{post}/</link>\n'
                      f'<pubDate>{posted:%a, %d %b %Y %H:%M:%S} +0000</pubDate>\n'
                      f'<guid isPermaLink="false">https://bench.example/?p={post}</guid>\n'
                      f'<wp:post_id>{post}</wp:post_id>\n'
                      f'<wp:post_date><![CDATA[{posted:%Y-%m-%d %H:%M:%S}]]></wp:post_date>\n'
                      f'<wp:post_date_gmt><![CDATA[{posted:%Y-%m-%d %H:%M:%S}]]>'
                      '</wp:post_date_gmt>\n<wp:comment_status><![CDATA[open]]>'
                      f'</wp:comment_status>\n<wp:post_name><![CDATA[story-{post}]]>'
                      '</wp:post_name>\n<wp:status><![CDATA[publish]]></wp:status>\n'
                      '<wp:post_type><![CDATA[post]]></wp:post_type>\n')
            first_id = comment_id + 1
            for n in range(count):
                comment_id += 1
                parent = rng.randint(first_id, comment_id - 1) if n and rng.random() < 0.4 else 0
                when = posted + timedelta(minutes=5 * n + 1)
                reader = rng.randint(1, 20_000)
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
                link = (f' <a href="https://site{reader % 50}.example/page">see this</a>'
                        if rng.random() < 0.1 else "")
                body = f"{words.capitalize()}.\n{words[:60]}{link}"
                out.write(
                    f'<wp:comment>\n<wp:comment_id>{comment_id}</wp:comment_id>\n'
                    f'<wp:comment_author><![CDATA[Reader {reader}]]></wp:comment_author>\n'
                    f'<wp:comment_author_email><![CDATA[reader{reader}@example.org]]>'
                    '</wp:comment_author_email>\n'
                    f'<wp:comment_author_url>https://reader{reader}.example/'
                    '</wp:comment_author_url>\n'
                    f'<wp:comment_author_IP><![CDATA[203.0.{reader % 250}.{reader % 200 + 1}]]>'
                    '</wp:comment_author_IP>\n'
                    f'<wp:comment_date><![CDATA[{when:%Y-%m-%d %H:%M:%S}]]></wp:comment_date>\n'
                    f'<wp:comment_date_gmt><![CDATA[{when:%Y-%m-%d %H:%M:%S}]]>'
                    '</wp:comment_date_gmt>\n'
                    f'<wp:comment_content><![CDATA[{body}]]></wp:comment_content>\n'
                    f'<wp:comment_approved><![CDATA[{rng.choice(STATUSES)}]]>'
                    '</wp:comment_approved>\n<wp:comment_type><![CDATA[comment]]>'
                    '</wp:comment_type>\n'
                    f'<wp:comment_parent>{parent}</wp:comment_parent>\n'
                    '<wp:comment_user_id>0</wp:comment_user_id>\n</wp:comment>\n')
            out.write('</item>\n')
        out.write('</channel>\n</rss>\n')


def timed(argv: list[str], env: dict[str, str], log: Path) -> tuple[float, float, int]:
    """(seconds, peak resident MB, exit status) of one process run to its end."""
    with log.open("wb") as output:
        began = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def engage_env(instance: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ENGAGE_")}
    env.update(ENGAGE_INSTANCE_PATH=str(instance), ENGAGE_SECRET_KEY="bench-imports",
               ENGAGE_DEMO_ENABLED="0")
    return env


def run_engage(work: Path, wxr: Path) -> tuple[float, float, str]:
    instance = work / "engage-instance"
    instance.mkdir()
    env = engage_env(instance)
    engage = [sys.executable, "-m", "engage"]
    upgrade = subprocess.run([*engage, "db", "upgrade"], env=env, cwd=ROOT,
                             capture_output=True, text=True)
    if upgrade.returncode != 0:
        raise SystemExit("engage db upgrade failed: "
                         + (upgrade.stderr.strip().splitlines() or ["?"])[-1])
    log = work / "engage-import.log"
    seconds, peak, status = timed([*engage, "import", "wordpress", str(wxr)], env, log)
    lines = log.read_text(errors="replace").strip().splitlines()
    if status != 0:
        raise SystemExit(f"engage import failed ({status}): {lines[-1] if lines else ''}")
    return seconds, peak, lines[-1] if lines else ""


def install_isso(work: Path) -> tuple[Path | None, str]:
    """The ``isso`` program of a fresh virtual environment, or None and why not."""
    venv = work / "isso-venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                       capture_output=True, timeout=300)
        result = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", ISSO],
                                capture_output=True, text=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as error:
        return None, f"could not create Isso's virtual environment: {error}"
    if result.returncode != 0:
        return None, "pip install {} failed: {}".format(
            ISSO, (result.stderr.strip().splitlines() or ["?"])[-1])
    return venv / "bin" / "isso", ""


def run_isso(work: Path, isso: Path, wxr: Path) -> tuple[float | None, str]:
    config = work / "isso.cfg"
    config.write_text(f"[general]\ndbpath = {work / 'isso.db'}\nhost = https://bench.example/\n"
                      "[server]\nlisten = http://127.0.0.1:0/\n")
    log = work / "isso-import.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("ENGAGE_")}
    seconds, _, status = timed([str(isso), "-c", str(config), "import", "-t", "wordpress",
                                str(wxr)], env, log)
    lines = log.read_text(errors="replace").strip().splitlines()
    if status != 0:
        return None, f"isso import failed ({status}): {lines[-1] if lines else ''}"
    return seconds, lines[-1] if lines else ""


def isso_count(work: Path) -> int:
    import sqlite3

    connection = sqlite3.connect(work / "isso.db")
    try:
        return connection.execute("SELECT count(*) FROM comments").fetchone()[0]
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="engage-bench-imports-") as directory:
        work = Path(directory)
        wxr = work / "export.xml"
        write_wxr(wxr, args.comments, args.posts)
        print(f"WXR: {args.comments:,} comments over {args.posts:,} posts, "
              f"{wxr.stat().st_size / 1e6:.1f} MB")
        isso, why = install_isso(work)  # before timing anything: pip's work is not measured
        seconds, peak, summary = run_engage(work, wxr)
        engage_rate = args.comments / seconds
        print(f"engage: {seconds:.1f} s, {engage_rate:,.0f} comments/s, peak memory "
              f"{peak:.0f} MB (target < {TARGET_MB:.0f} MB)\n  {summary}")
        if isso is None:
            print(f"Isso 0.14: not measured: {why}")
            return 1
        isso_seconds, message = run_isso(work, isso, wxr)
        if isso_seconds is None:
            print(f"Isso 0.14: not measured: {message}")
            return 1
        imported = isso_count(work)
        isso_rate = args.comments / isso_seconds
        print(f"Isso 0.14 (isso import): {isso_seconds:.1f} s, {isso_rate:,.0f} comments/s "
              f"({imported:,} comments in its database)")
        ratio = engage_rate / isso_rate
        print(f"ratio engage / Isso: {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x)")
        return 0 if ratio >= TARGET_RATIO and peak < TARGET_MB else 2


if __name__ == "__main__":
    sys.exit(main())
