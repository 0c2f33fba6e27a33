"""Live updates: ``GET /api/v1/stream`` tells open widgets of comments published or changed.

- ``models``: ``live_events``, the short change log every publication writes in its own
  transaction (its ids are the stream's event ids, so ``Last-Event-ID`` resumes from it).
- ``recorder``: session hooks that write the log and, after the commit, wake every process
  through Redis pub/sub when Redis is configured.
- ``hub``: one per worker process; one listener (Redis wake-ups, or polling the log) fans new
  events out to the streams of the articles they concern.
- ``stream``: the ``text/event-stream`` body of one connection; ``routes``: the endpoint.
"""
