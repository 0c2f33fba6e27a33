"""Notifications: a transactional outbox and the channels that deliver it (issue 18).

- ``outbox.enqueue`` records a message in the caller's transaction (a rollback sends nothing,
  a crash after the commit loses nothing).
- ``delivery`` holds the channel registry (``register_channel``) and delivers due messages:
  a background thread in every server process (``worker.Deliverer``) and ``engage worker``.
- ``events.comment_event`` is what the comment code calls when a comment is created or decided;
  it enqueues webhook messages and calls the listeners (``add_listener``; the mail helper's).
- ``webhooks`` signs and posts webhook messages (SSRF guard, slack format).

Channels and listeners are registered from an ``init_app`` that ``create_app`` calls, never at
import time (tests/test_layout.py: importing a module registers nothing); registering the same
name or function again replaces it, so building several apps in one process is harmless.
"""
