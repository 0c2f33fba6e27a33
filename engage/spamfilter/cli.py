"""``engage spam …``: bootstrap, inspect and evaluate the learning spam filter.

- ``engage spam train FILE.csv …``     add labelled comments (TubeSpam format: ``CONTENT``,
  ``CLASS`` 1 = spam / 0 = legitimate, optional ``AUTHOR``) to the training set;
- ``engage spam evaluate FILE.csv …``  score labelled comments with the current model (nothing
  is learned) and print precision, recall, the confusion table and what the rule would do;
- ``engage spam status``               how many examples of each class the model has;
- ``engage spam reset --yes``          forget every example;
- ``engage spam build-starter FILE.csv …``  train the starter model that a fresh install
  classifies with (engage/spamfilter/starter.py) and write its weights file.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from engage.db import db
from engage.spamfilter.cache import classifier_cache
from engage.spamfilter.evaluation import Outcome, Thresholds, status_for_score
from engage.spamfilter.rule import ClassifierSettings
from engage.spamfilter.starter import shipped_path, train_starter, write_starter
from engage.spamfilter.store import SpamExample, add_labelled, clear, read_version
from engage.spamfilter.training_data import read_labelled_csv
from engage.spamfilter.features import features


@click.group("spam")
def spam() -> None:
    """The learning spam filter."""


def _read_all(files) -> list:
    rows = []
    for path in files:
        try:
            rows.extend(read_labelled_csv(path))
        except (OSError, ValueError, KeyError) as error:
            raise click.ClickException(str(error)) from error
    return rows


@spam.command("train")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def train_command(files) -> None:
    """Add the labelled comments of FILES to the training set."""
    rows = _read_all(files)
    count = add_labelled(db.session, rows)
    db.session.commit()
    spam_rows = sum(row.is_spam for row in rows)
    click.echo(f"learned {count} comments ({spam_rows} spam, {count - spam_rows} legitimate); "
               "running servers pick the change up within "
               f"{current_app.config['CLASSIFIER_REFRESH_SECONDS']:g} s plus training")


@spam.command("evaluate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def evaluate_command(files) -> None:
    """Score FILES with the current model; print precision, recall and the confusion table."""
    model = classifier_cache().refresh_now(db.session)
    if model is None or not model.weights:
        raise click.ClickException("the spam filter has learned nothing yet "
                                   "(engage spam train FILE.csv, or moderate some comments)")
    settings = ClassifierSettings.from_config(current_app.config)
    thresholds = Thresholds(settings.spam_threshold, settings.hold_threshold)
    outcome = Outcome()
    for row in _read_all(files):
        # as imported by `train`: the CSV has no emails, so none are made up here either
        value = model.score(features(row.content, row.author)).value
        outcome.add(row.is_spam, status_for_score(value, thresholds))
    click.echo(f"model: {model.spam_examples} spam and {model.ham_examples} legitimate examples; "
               f"spam from {settings.spam_threshold:g}, held from {settings.hold_threshold:g}")
    click.echo(f"precision {outcome.precision:.4f}  recall {outcome.recall:.4f}  "
               f"accuracy {outcome.accuracy:.4f}  (predicted spam = score ≥ spam threshold)")
    click.echo(outcome.table())
    click.echo(outcome.line("as the rule"))


@spam.command("status")
@with_appcontext
def status_command() -> None:
    """Print how many examples of each class the filter has learned."""
    counts = dict(db.session.execute(
        select(SpamExample.is_spam, func.count()).group_by(SpamExample.is_spam)).all())
    stamp = read_version(db.session)
    click.echo(f"spam examples {counts.get(True, 0)}, legitimate examples {counts.get(False, 0)}, "
               f"version {stamp[1] if stamp else 0}")


@spam.command("reset")
@click.option("--yes", is_flag=True, help="Really forget every example.")
@with_appcontext
def reset_command(yes: bool) -> None:
    """Forget every example the filter has learned."""
    if not yes:
        raise click.ClickException("this forgets everything the filter learned; add --yes")
    count = clear(db.session)
    db.session.commit()
    click.echo(f"forgot {count} examples")


@spam.command("build-starter")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Weights file to write (default: the shipped one in the source tree).")
def build_starter_command(files, out) -> None:
    """Train the starter model on the labelled comments of FILES and write its weights."""
    rows = _read_all(files)
    model = train_starter(rows)
    path = out or str(shipped_path())
    size = write_starter(model, path)
    click.echo(f"starter model: {model.spam_examples} spam and {model.ham_examples} legitimate "
               f"examples, {len(model.weights)} weights, {size} bytes → {path}")
