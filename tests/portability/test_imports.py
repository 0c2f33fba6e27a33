"""Importing real export files: WordPress (WXR), Disqus, Isso; counts, threads, dates,
statuses, privacy, re-runs and bad input."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from engage.articles import Article
from engage.comments.models import Comment, CommentStatus
from engage.db import db
from engage.spamfilter.store import SpamExample
from tests.portability.helpers import FIXTURES, isso_database, run

WORDPRESS_LINE = ("imported 6 comments (3 approved, 1 pending, 1 spam, 1 rejected) into 2 "
                  "articles; skipped 4 (2 pingbacks/trackbacks, 1 date in the future, "
                  "1 unparseable date)")


def comments_by(**filters) -> list[Comment]:
    return list(db.session.scalars(select(Comment).filter_by(**filters).order_by(Comment.id)))


def by_body(text: str) -> Comment:
    return db.session.scalars(select(Comment).where(Comment.body.contains(text))).one()


def test_wordpress_import_keeps_threads_dates_statuses_and_articles(app):
    result = run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == WORDPRESS_LINE
    question, answer, thanks = by_body("7:10 still"), by_body("stays"), by_body("Thank you")
    assert answer.parent_id == question.id and thanks.parent_id == answer.id
    assert question.created_at == datetime(2026, 10, 1, 9, 15, tzinfo=timezone.utc)
    # no GMT date: the local one, taken as UTC
    assert thanks.created_at == datetime(2026, 10, 1, 11, 30, tzinfo=timezone.utc)
    assert [question.status, thanks.status, by_body("Buy now").status,
            by_body("always late").status] == [CommentStatus.APPROVED, CommentStatus.PENDING,
                                               CommentStatus.SPAM, CommentStatus.REJECTED]
    assert question.author_email == "marta@example.org"
    assert question.author_url == "https://marta.example/"
    assert by_body("always late").author_email == ""  # no email: imported all the same
    # IPs anonymised on the way in
    assert question.ip_prefix == "203.0.113.0/24"
    assert answer.ip_prefix == "2001:db8:85a3::/48"
    # HTML through engage's sanitiser, with WordPress's paragraphs
    assert "<script" not in question.body_html and "alert" not in question.body_html
    assert question.body_html.startswith("<p>Will the 7:10 still run?<br>")
    article = db.session.get(Article, question.article_id)
    assert (article.key, article.title, article.url) == (
        "/2026/10/ferry-timetable", "Ferry timetable changes",
        "https://gazette.example/2026/10/ferry-timetable/")
    assert db.session.scalar(select(func.count()).select_from(Article)) == 2


def test_imported_thread_is_public_through_the_api(app, client):
    run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"))
    thread = client.get("/api/v1/comments?article=/2026/10/ferry-timetable").json
    assert [c["author_name"] for c in thread["comments"]] == ["Marta Fisher", "Harbour Office"]
    assert thread["comments"][1]["parent_id"] == thread["comments"][0]["id"]
    assert "marta@example.org" not in str(thread)


def test_rerunning_an_import_adds_nothing(app):
    run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"))
    again = run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"))
    assert again.exit_code == 0
    assert again.output.strip().startswith("imported 0 comments (0 approved, 0 pending, "
                                           "0 spam, 0 rejected) into 0 articles; skipped 10 "
                                           "(6 already imported")
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 6


def test_dry_run_writes_nothing_and_says_what_it_would_do(app):
    result = run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "dry run, nothing written: " + WORDPRESS_LINE
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db.session.scalar(select(func.count()).select_from(Article)) == 0


def test_train_teaches_the_filter_only_when_asked(app):
    run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"))
    assert db.session.scalar(select(func.count()).select_from(SpamExample)) == 0
    db.session.execute(Comment.__table__.delete())
    db.session.commit()
    run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"), "--site", "default",
        "--train")
    # the first run's ids are remembered: nothing new to learn from
    assert db.session.scalar(select(func.count()).select_from(SpamExample)) == 0


def test_train_labels_spam_rejected_and_approved(app):
    result = run(app, "import", "disqus", str(FIXTURES / "disqus.xml"), "--train")
    assert result.exit_code == 0, result.output
    labels = dict(db.session.execute(select(SpamExample.comment_id, SpamExample.is_spam)).all())
    assert labels[by_body("Buy pills").id] is True
    assert labels[by_body("Removed by").id] is True
    assert labels[by_body("7:10").id] is False


def test_wordpress_missing_parents_and_loops_are_skipped_and_counted(app):
    result = run(app, "import", "wordpress", str(FIXTURES / "wordpress_parents.xml"))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "imported 2 comments (2 approved, 0 pending, 0 spam, 0 rejected) into 1 articles; "
        "skipped 4 (2 missing parent, 2 parent loop)")
    assert by_body("Fine.").parent_id == by_body("Top.").id


def test_disqus_import_keeps_threads_statuses_and_guests(app):
    result = run(app, "import", "disqus", str(FIXTURES / "disqus.xml"))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "imported 6 comments (4 approved, 0 pending, 1 spam, 1 rejected) into 2 articles; "
        "skipped 2 (1 missing parent, 1 unknown thread)")
    question, answer, thanks = by_body("7:10"), by_body("it stays"), by_body("Thanks, Harbour")
    # listed before its parent in the file: it waited for it
    assert answer.parent_id == question.id and thanks.parent_id == answer.id
    assert answer.author_email == "" and answer.author_name == "Guest reader"
    assert by_body("Lovely").parent_id == by_body("Removed by").id
    assert by_body("Removed by").status is CommentStatus.REJECTED
    assert question.created_at == datetime(2026, 10, 1, 9, 15, tzinfo=timezone.utc)
    assert question.ip_prefix == "203.0.113.0/24"
    assert db.session.get(Article, by_body("Lovely").article_id).title == "The lighthouse reopens"
    again = run(app, "import", "disqus", str(FIXTURES / "disqus.xml"))
    assert again.output.startswith("imported 0 comments")


def test_isso_import_maps_modes_and_skips_bad_text(app, tmp_path):
    path = isso_database(tmp_path)
    result = run(app, "import", "isso", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "imported 5 comments (3 approved, 1 pending, 0 spam, 1 rejected) into 2 articles; "
        "skipped 2 (1 NUL byte in text, 1 text not UTF-8)")
    question, answer, thanks = by_body("still run"), by_body("it stays"), by_body("Thanks!")
    assert answer.parent_id == question.id and thanks.parent_id == answer.id
    assert thanks.status is CommentStatus.PENDING
    assert question.body_html == "<p>Will the <em>7:10</em> still run?</p>"
    assert question.created_at == datetime(2026, 5, 1, 9, 15, 0, 250000, tzinfo=timezone.utc)
    assert answer.ip_prefix == "2001:db8:85a3::/48"
    assert by_body("Lovely").parent_id is not None
    assert db.session.get(Article, question.article_id).key == "/2026/10/ferry-timetable"


def test_import_into_a_site_uses_its_origins_for_urls(app, tmp_path):
    run(app, "site", "create", "gazette", "--origin", "https://gazette.example")
    result = run(app, "import", "isso", str(isso_database(tmp_path)), "--site", "gazette")
    assert result.exit_code == 0, result.output
    article = db.session.scalars(select(Article).where(Article.site_id == "gazette",
                                                       Article.key == "/lighthouse")).one()
    assert article.url == "https://gazette.example/lighthouse/"
    assert {c.site_id for c in comments_by()} == {"gazette"}


@pytest.mark.parametrize("source, content, message", [
    ("wordpress", b"<disqus xmlns='http://disqus.com'/>", "not a WordPress export"),
    ("wordpress", b"<rss><channel><item><title>x</title></item></channel></rss>",
     "not a WordPress export"),
    ("disqus", (FIXTURES / "wordpress.xml").read_bytes(), "not a Disqus export"),
    ("wordpress", (FIXTURES / "wordpress.xml").read_bytes()[:3000], "XML is broken at line"),
    ("wordpress", b"", "XML is broken at line 1"),
    ("disqus", (FIXTURES / "disqus.xml").read_bytes().replace(b"Lovely", b"Lov\x00ely"),
     "XML is broken"),
    ("disqus", (FIXTURES / "disqus.xml").read_bytes().replace(b"Lovely", b"Lov\xe9ly"),
     "XML is broken"),
    ("isso", b"this is no database at all, just text" * 40, "not an Isso database"),
    ("engage", b"<rss/>", "not an engage export"),
])
def test_bad_files_get_one_line_and_no_traceback(app, tmp_path, source, content, message):
    path = tmp_path / "input"
    path.write_bytes(content)
    result = run(app, "import", source, str(path))
    assert result.exit_code == 1
    lines = (result.stderr if hasattr(result, "stderr") else result.output).strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_sqlite_file_of_another_schema_is_refused(app, tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri TEXT, title TEXT)")
    connection.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, body TEXT)")
    connection.close()
    result = run(app, "import", "isso", str(path))
    assert result.exit_code == 1
    assert "not Isso's: table 'comments' lacks" in (result.stderr or result.output)


def test_a_truncated_file_keeps_whole_articles_and_resumes(app, tmp_path):
    """The first article is written whole, the broken second is not; the full file then
    imports only what is missing."""
    data = (FIXTURES / "wordpress.xml").read_bytes()
    cut = data.index(b"<wp:comment_id>201")
    path = tmp_path / "cut.xml"
    path.write_bytes(data[:cut])
    assert run(app, "import", "wordpress", str(path)).exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 5
    assert db.session.scalar(select(func.count()).select_from(Article)) == 1
    result = run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"))
    assert result.output.startswith("imported 1 comments (1 approved, 0 pending, 0 spam, "
                                    "0 rejected) into 1 articles")


def test_unknown_site_is_one_line(app):
    result = run(app, "import", "wordpress", str(FIXTURES / "wordpress.xml"), "--site", "nope")
    assert result.exit_code == 1
    assert "no site 'nope'" in (result.stderr or result.output)
