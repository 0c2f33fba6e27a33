"""Page views: honest "N views" counts and badges.

A view counts unless it comes from a known bot, is a prefetch/prerender or HEAD request,
repeats a view of the same visitor on the same article within ``VIEWS_WINDOW_SECONDS``, or
goes over a limit of the reader's network (``VIEWS_PER_NETWORK`` views of one article per
window, ``VIEWS_NEW_ARTICLES_PER_NETWORK`` unknown keys per day; see ``backends.base``).
Visitors are recognised by a keyed hash of a daily-rotating salt, the anonymised IP and the user
agent (``visitors.py``): no cookie, no stored IP, and keys of different days cannot be linked.
Counting goes through one small interface (``backends.ViewCounter``) with an embedded buffered
SQL backend and a Redis backend.
"""
