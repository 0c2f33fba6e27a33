"""Export, then import into an empty database: the same public threads and moderation queue.

The comments come in the way readers and moderators make them (the public API, decisions),
plus a WordPress import; ids change on the way (the new database numbers its own rows), so
answers are compared with every id replaced by its comment's position in the export.
"""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from sqlalchemy import select

from engage.articles import Article
from engage.db import db
from engage.moderators.accounts import create_moderator, find_moderator, issue_token
from engage.pageviews.models import ArticleViews
from engage.site_directory import site_directory
from tests.conftest import _truncate_all
from tests.factories import post_comment
from tests.portability.helpers import FIXTURES, run

ARTICLES = ["/news/launch", "/news/harbour", "/2026/10/ferry-timetable", "/about"]


def _token() -> str:
    account = find_moderator(db.session, "root") or create_moderator(
        db.session, "root", "a long enough password", )
    token = issue_token(db.session, account)
    db.session.commit()
    return token


def _make_content(app, client) -> None:
    headers = {"Authorization": f"Bearer {_token()}"}
    first = post_comment(client, article="/news/launch", author_email="ada@example.org").json
    post_comment(client, article="/news/launch", parent_id=first["comment"]["id"],
                 author_name="Bob", author_email="bob@example.org")
    held = post_comment(client, article="/news/harbour", body="Look http://a.example "
                        "http://b.example http://c.example").json
    spam = post_comment(client, article="/news/harbour", body="buy http://x.example").json
    rejected = post_comment(client, article="/news/harbour").json
    for comment_id, action in ((spam["comment"]["id"], "spam"),
                               (rejected["comment"]["id"], "reject"),
                               (first["comment"]["id"], "reject"),
                               (first["comment"]["id"], "approve")):
        response = client.post(f"/api/v1/moderation/comments/{comment_id}", headers=headers,
                               json={"action": action, "note": "checked"})
        assert response.status_code == 200, response.json
    assert held["status"] == "pending"
    vote = client.post(f"/api/v1/comments/{first['comment']['id']}/votes", json={"value": 1})
    assert vote.status_code == 200 and vote.json["up"] == 1
    edit = client.patch(f"/api/v1/comments/{rejected['comment']['id']}",
                        headers={"Authorization": f"Bearer {rejected['edit_key']}"},
                        json={"body": "A better worded remark."})
    assert edit.status_code in (200, 202), edit.json
    assert run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml")).exit_code == 0
    article = db.session.scalars(select(Article).where(Article.key == "/news/launch")).one()
    db.session.add(ArticleViews(article_id=article.id, day=date(2026, 11, 30), count=42))
    db.session.commit()


def _answers(client) -> dict:
    headers = {"Authorization": f"Bearer {_token()}"}
    threads = {key: client.get(f"/api/v1/comments?article={key}").json for key in ARTICLES}
    queue = {status: client.get(f"/api/v1/moderation/comments?status={status}&order=oldest"
                                "&limit=100", headers=headers).json
             for status in ("pending", "spam", "rejected", "approved")}
    counts = client.get("/api/v1/counts?" + "&".join(f"article={k}" for k in ARTICLES)).json
    return _without_ids({"threads": threads, "queue": queue, "counts": counts})


def _without_ids(document):
    """Comment ids replaced by their order of appearance (parents keep pointing right)."""
    text = json.dumps(document, sort_keys=True)
    data = json.loads(text)
    seen: dict[int, int] = {}

    def number(value):
        if value is None:
            return None
        return seen.setdefault(value, len(seen))

    def walk(node):
        if isinstance(node, dict):
            for name in ("id", "parent_id"):
                if name in node and isinstance(node[name], int):
                    node[name] = number(node[name])
            for key in ("next",):
                node.pop(key, None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(data)
    return data


def _empty_database(request, database: str) -> None:
    db.session.remove()
    db.engine.dispose()
    if database.startswith("sqlite"):
        shutil.copyfile(request.getfixturevalue("sqlite_template"),
                        database.removeprefix("sqlite:///"))
    else:
        _truncate_all(database)


def test_export_then_import_into_an_empty_database_gives_the_same_answers(
        app, client, request, database, tmp_path):
    _make_content(app, client)
    before = _answers(client)
    views_before = client.get("/api/v1/views?article=/news/launch").json
    path = tmp_path / "export.json"
    assert run(app, "export", "-o", str(path)).exit_code == 0
    json.loads(path.read_text())  # one JSON document
    _empty_database(request, database)
    assert db.session.scalar(select(Article.id)) is None
    result = run(app, "import", "engage", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("imported 11 comments (5 approved, 2 pending, 2 spam, "
                                    "2 rejected) into 4 articles")
    assert _answers(client) == before
    assert client.get("/api/v1/views?article=/news/launch").json == views_before
    again = run(app, "import", "engage", str(path))
    assert again.output.startswith("imported 0 comments")


def test_wxr_export_reads_back_into_engage_as_a_wordpress_import(app, client, tmp_path):
    _make_content(app, client)
    before = client.get("/api/v1/comments?article=/news/launch").json
    path = tmp_path / "export.xml"
    assert run(app, "export", "--format", "wxr", "-o", str(path)).exit_code == 0
    run(app, "site", "create", "copy", "--origin", "https://copy.example")
    site_directory(app).invalidate()
    result = run(app, "import", "wordpress", str(path), "--site", "copy")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("imported 11 comments (5 approved, 2 pending, 2 spam, "
                                    "2 rejected)")
    after = client.get("/api/v1/comments?article=/news/launch&site=copy").json
    # WordPress dates have whole seconds
    strip = lambda thread: [(c["author_name"], c["body_html"], c["created_at"][:19])  # noqa: E731
                            for c in thread["comments"]]
    assert strip(after) == strip(before)
    assert after["comments"][1]["parent_id"] == after["comments"][0]["id"]


@pytest.mark.parametrize("content", [b'{"format": "engage-export", "version": 1, "sites": [],\n'
                                     b'"articles": [\n{"article": {"key": "/x", "comm',
                                     b'{"format": "engage-export", "version": 1, "sites": [],\n'
                                     b'"articles": [\n'])
def test_a_broken_engage_export_is_one_line(app, tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    result = run(app, "import", "engage", str(path))
    assert result.exit_code == 1
    assert len((result.stderr or result.output).strip().splitlines()) == 1


def test_an_engage_export_naming_a_site_it_does_not_define_is_one_line(app, tmp_path):
    path = tmp_path / "ghost.json"
    path.write_text('{"format": "engage-export", "version": 1, "sites": [],\n"articles": [\n'
                    '{"article": {"site": "ghost", "key": "/x", "comments": [{"id": 1, '
                    '"status": "approved", "author_name": "A", "author_email": "", "body": "b",'
                    ' "body_html": "<p>b</p>", "created_at": "2026-01-01T00:00:00+00:00"}]}}\n'
                    ']}\n')
    result = run(app, "import", "engage", str(path))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = (result.stderr or result.output).strip().splitlines()
    assert len(lines) == 1 and "the database refused a batch" in lines[0]
    assert db.session.scalar(select(Article.id).where(Article.key == "/x")) is None
