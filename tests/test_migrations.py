"""The schema comes only from migrations, and the migrations match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate
from sqlalchemy import inspect

from engage import MIGRATIONS_DIR
from engage.db import db
from engage.queue.search import outside_models


def _modelled(name, type_, parent_names):
    return not outside_models(name)  # the queue's text index: schema no model declares


def test_migrated_database_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": _modelled})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations disagree: {differences}"


def test_database_is_at_every_migration_head(app):
    heads = set(ScriptDirectory(MIGRATIONS_DIR).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    assert current == heads


def test_every_model_table_exists(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_migrations_form_one_line():
    """Each revision follows the one before it: two branches that both add "the next"
    revision must be put in order when they merge, not left as two heads."""
    script = ScriptDirectory(MIGRATIONS_DIR)
    assert len(script.get_heads()) == 1, script.get_heads()
    numbers = [revision.revision.split("_", 1)[0] for revision in script.walk_revisions()]
    assert len(numbers) == len(set(numbers)), f"two revisions share a number: {numbers}"


def test_reader_keys_migration_keeps_old_comments_with_their_email_avatars(app, client):
    """0011 adds columns only: a comment stored before it keeps its row, counts for nobody's
    trust (no author key) and keeps the avatar it had (the keyed hash of its email)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import bindparam, text

    from engage.db import UTCDateTime, utcnow
    from engage.privacy import avatar_token

    downgrade(revision="0010_view_networks")
    try:
        assert "author_key" not in {c["name"] for c in inspect(db.engine).get_columns("comments")}
        with db.engine.begin() as connection:
            at = bindparam("at", type_=UTCDateTime())
            connection.execute(text("INSERT INTO articles (key, created_at) VALUES ('/old', :at)")
                               .bindparams(at), {"at": utcnow()})
            connection.execute(text(
                "INSERT INTO comments (article_id, status, author_name, author_email, body, "
                "body_html, reasons, created_at) SELECT id, 'approved', 'Old', 'old@example.org',"
                " 'Before.', '<p>Before.</p>', '[]', :at FROM articles WHERE key = '/old'")
                .bindparams(at), {"at": utcnow()})
    finally:
        upgrade(revision="heads")
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT author_key, avatar_token FROM comments")).one()
    assert tuple(row) == (None, None)
    [comment] = client.get("/api/v1/comments?article=/old").json["comments"]
    assert comment["avatar_url"].endswith(
        f"/{avatar_token('old@example.org', app.config['SECRET_KEY'])}.svg")
