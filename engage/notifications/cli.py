"""``engage worker``: deliver outbox messages in a process of its own.

Server processes deliver in the background already (``OUTBOX_IN_SERVER``); a worker adds
delivery capacity or replaces it (``ENGAGE_OUTBOX_IN_SERVER=0``). Any number of workers and
servers may run against one database: each message is claimed by one of them at a time.
"""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from engage.notifications.delivery import channel_names
from engage.notifications.worker import Deliverer, run_forever


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Deliver webhook requests and mail until SIGTERM/SIGINT."""
    app = current_app._get_current_object()
    if once:
        deliverer, total = Deliverer(app), 0
        while (claimed := deliverer.round()):
            total += claimed
        click.echo(f"delivered or retried {total} messages")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"engage worker delivering: {', '.join(channel_names()) or 'no channels'}",
               err=True)
    run_forever(app, stop)
