"""Queue text search through the index answers as the substring scan did, on whole words.

SQLite finds candidates through FTS5 and PostgreSQL through a GIN index of words; both test
the substring match on what the index proposes (engage/queue/search.py). Here a corpus with
punctuation, case, emails and non-ASCII words is searched for every run of one to three of its
words (and each in upper case), and each answer is compared with the scan's: the same
``substring_match`` run over the whole table, as the queue searched before the index.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import select, text

from engage.comments.models import Comment, CommentStatus
from engage.db import db
from engage.queue.search import FTS_TABLE, substring_match
from engage.queue.service import Order, QueueQuery, queue_page

CORPUS = [
    ("The harbour tram was late again, as usual.", "Ada Reader", "ada@example.org"),
    ("HARBOUR-TRAM timetable: 7:15, 7:45 & 8:15 (weekdays).", "Bob", "bob@harbour.example"),
    ("A tramway for the harbour? Don't hold your breath.", "Chloé Dupont", "chloe@example.fr"),
    ("Straße gesperrt; Ärger über die Brücke!", "Jörg Müller", "joerg@beispiel.de"),
    ("Der ärger ist groß. Die STRASSE bleibt zu.", "Zoë", "zoe@example.org"),
    ("Café naïve résumé: the council's budget is 1,000,000 €.", "Renée", "renee@example.org"),
    ("Cafe naive resume, without the accents.", "Rene", "rene@example.org"),
    ("Привет, Москва! Мост закрыт.", "Иван Петров", "ivan@example.ru"),
    ("Καλημέρα από τον ΔΉΜΟ· Η γέφυρα έκλεισε.", "Νίκος", "nikos@example.gr"),
    ("東京タワー and the river: 50% of the budget.", "Yuki", "yuki@example.jp"),
    ("snake_case and e-mail and under_score words", "dev_null", "dev_null@example.org"),
    ("Email me at ada@example.org about the bridge.", "Ada Reader", "ada@example.org"),
    ("The budget, the bridge, the budget again; budgetary rules.", "Council Watch",
     "watch@council.example"),
    ("It's (the) \"mayor\" who said: 'no trams'.", "O'Brien", "obrien@example.ie"),
    ("Tram. Tram! tram? TRAM...", "Tram Fan", "tramfan@example.org"),
    ("Emoji 🚋 tram 🚋 and #hashtags @mentions", "Emo", "emo@example.org"),
]
STATUSES = [CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM,
            CommentStatus.REJECTED]
WORD = re.compile(r"[^\W_]+")


@pytest.fixture
def corpus(make_comment) -> list[Comment]:
    comments = []
    for n, (body, name, email) in enumerate(CORPUS * 2):  # twice: pages of several rows
        comments.append(make_comment(article=f"/news/{n % 3}", status=STATUSES[n % 4],
                                     body=body, author_name=name, author_email=email))
    return comments


def word_runs() -> list[str]:
    """Every run of one to three consecutive words of each text, with what lies between."""
    runs = set()
    for fields in CORPUS:
        for value in fields:
            spans = [match.span() for match in WORD.finditer(value)]
            for i in range(len(spans)):
                for j in range(i, min(i + 3, len(spans))):
                    runs.add(value[spans[i][0]:spans[j][1]])
    return sorted(runs)


QUERIES = word_runs() + [run.upper() for run in word_runs()[::3]] + [
    "(the)", "\"mayor\"", "50%", "7:15, 7:45", "ada@example.org", "example.org", "@example",
    "e-mail", "council's", "'no trams'.", "🚋 tram 🚋", "🚋", "...", "  tram  "]


def on_word_boundaries(q: str, value: str) -> bool:
    """``q`` occurs in ``value`` (lowered) without cutting a word at either end."""
    q, value = q.lower(), value.lower()
    start = value.find(q)
    while start >= 0:
        end = start + len(q)
        cuts_start = WORD.match(q[0]) and start > 0 and WORD.match(value[start - 1])
        cuts_end = WORD.match(q[-1]) and end < len(value) and WORD.match(value[end])
        if not cuts_start and not cuts_end:
            return True
        start = value.find(q, start + 1)
    return False


def scan(q: str, status=None, article_id=None) -> list[int]:
    """The substring scan, newest first: the queue's search before the index."""
    statement = select(Comment).where(substring_match(q.strip()[:200]))
    if status is not None:
        statement = statement.where(Comment.status == status)
    if article_id is not None:
        statement = statement.where(Comment.article_id == article_id)
    rows = db.session.scalars(statement.order_by(Comment.id.desc()))
    # the scan's answers where q's words are whole words of the text
    return [row.id for row in rows
            if not WORD.search(q) or any(on_word_boundaries(q.strip(), value) for value in
                                         (row.body, row.author_name, row.author_email))]


def searched(query: QueueQuery) -> list[int]:
    """Every page of the query, following the cursor."""
    ids, cursor = [], None
    while True:
        page = queue_page(db.session, replace(query, cursor=cursor))
        ids += [comment.id for comment in page.comments]
        cursor = page.next_cursor
        if cursor is None:
            return ids


def test_every_word_run_finds_what_the_scan_found(app, corpus):
    assert len(QUERIES) > 300
    found_something = 0
    for q in QUERIES:
        expected = scan(q)
        assert searched(QueueQuery(status=None, q=q, limit=100)) == expected, q
        found_something += bool(expected)
    assert found_something > 300  # the queries are of the corpus: nearly all find comments


@pytest.mark.parametrize("q", ["tram", "harbour tram", "the budget", "ärger", "Straße",
                               "example.org", "Мост"])
def test_pages_filters_and_orders_agree_with_the_scan(app, corpus, q):
    by_article = {comment.article.key: comment.article_id for comment in corpus}
    for status in (None, CommentStatus.PENDING, CommentStatus.APPROVED):
        for key, article_id in [(None, None), *by_article.items()]:
            expected = scan(q, status, article_id)
            for order in Order:
                query = QueueQuery(status=status, article=key, q=q, order=order, limit=2)
                want = expected if order is Order.NEWEST else expected[::-1]
                assert searched(query) == want, (q, status, key, order)


def test_a_word_cut_inside_is_not_found_though_the_scan_finds_it(app, corpus):
    """The index is what answers: it knows words, not parts of them."""
    assert db.session.scalars(select(Comment.id).where(substring_match("ramwa"))).all()
    assert searched(QueueQuery(status=None, q="ramwa", limit=100)) == []


def test_the_api_searches_through_the_index(app, client, auth_headers, corpus):
    response = client.get("/api/v1/moderation/comments",
                          query_string={"status": "all", "q": "Ärger", "limit": 1},
                          headers=auth_headers)
    assert response.status_code == 200
    data = response.get_json()
    assert [item["id"] for item in data["comments"]] == scan("Ärger")[:1]
    assert data["next"] is not None


def fts_ids(word: str) -> set[int]:
    """What the FTS5 table itself holds for ``word``: the index, not the rechecked answer."""
    return set(db.session.scalars(text(f"SELECT rowid FROM {FTS_TABLE} "
                                       f"WHERE {FTS_TABLE} MATCH :q"), {"q": word}))


def test_the_index_follows_inserts_edits_and_deletes(app, make_comment):
    """An erased author's words leave the index with them (SQLite: the triggers)."""
    sqlite = db.engine.dialect.name == "sqlite"

    def found(word):
        in_index = fts_ids(word) if sqlite else set()
        return set(searched(QueueQuery(status=None, q=word))) | in_index

    comment = make_comment(body="A zeppelin over the harbour.", author_email="old@example.org")
    assert found("zeppelin") == {comment.id} == found("old")
    comment.body, comment.author_email = "A blimp over the harbour.", "new@example.org"
    db.session.commit()
    assert found("zeppelin") == set() == found("old")
    assert found("blimp") == {comment.id} == found("new")
    db.session.delete(comment)
    db.session.commit()
    assert found("blimp") == set() == found("harbour")
    if sqlite:  # FTS5 raises "database disk image is malformed" if index and table disagree
        db.session.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) "
                                "VALUES ('integrity-check', 1)"))


def test_the_migration_downgrades_and_rebuilds_the_index_from_existing_rows(app, make_comment):
    from flask_migrate import downgrade, upgrade

    dialect = db.engine.dialect.name
    before = make_comment(body="Written before the index existed: gondola.").id
    db.session.remove()
    downgrade(revision="0019_live_events")
    try:
        with db.engine.connect() as connection:
            if dialect == "sqlite":
                names = connection.execute(text(
                    "SELECT name FROM sqlite_master WHERE name LIKE '%comments_search%'")).all()
            else:
                names = connection.execute(text(
                    "SELECT indexname FROM pg_indexes WHERE indexname LIKE "
                    "'ix_comments_search%'")).all()
        assert names == []
    finally:
        upgrade(revision="heads")
    assert searched(QueueQuery(status=None, q="gondola")) == [before]
    if dialect == "sqlite":
        assert fts_ids("gondola") == {before}
