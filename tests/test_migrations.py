"""The schema comes only from migrations, and the migrations match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate
from sqlalchemy import inspect

from engage import MIGRATIONS_DIR
from engage.db import db


def test_migrated_database_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
