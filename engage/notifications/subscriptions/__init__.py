"""Reader notifications: double opt-in subscriptions, the mails they get, the pages they use.

- ``models``: ``MailAddress`` (one row per keyed hash of an address: confirmed? when was the
  last confirmation mail?) and ``Subscription`` (one request: replies to a comment, or every
  new comment of an article; the only place the raw address is kept, for sending).
- ``service``: ``request`` (at submit), ``confirm``, ``unsubscribe``, ``is_confirmed``, the
  comment-event listener that enqueues reader mail, and erasure/export for author requests.
- ``tokens``: the signed tokens of the confirm and unsubscribe links.
- ``mails``: the builders of the "confirm", "reply", "article" and "published" mails.
- ``routes``: ``GET /subscriptions/confirm/{token}``, ``GET/POST
  /subscriptions/unsubscribe/{token}`` (RFC 8058 one-click; no login, no JavaScript).
"""
