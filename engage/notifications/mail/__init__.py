"""Mail: the SMTP transport, the "mail" outbox channel, message building and the catalogs.

- ``transport``: ``ENGAGE_SMTP_URL`` parsed once, one bounded-timeout SMTP conversation per
  message; SMTP answers mapped to the outbox's ``RetryLater`` / ``Undeliverable``.
- ``message``: an ``EmailMessage`` (plain text + HTML alternative) with a Message-ID derived
  from the outbox message id and, for reader mail, the RFC 8058 unsubscribe headers.
- ``catalog``: the mail strings in the reader's language (``i18n/<lang>.json``, English
  fallback, the widget's tag resolution: tag, base language, English).
- ``channel``: the "mail" channel. A mail payload names what to send (``{"kind": …, ids}``),
  never an address or a text: the mail is built when it is sent, from the rows it names, so an
  erased reader's queued mail goes nowhere and the outbox holds no email address.
- ``extension``: ``init_app`` registers the channel, the listeners, the pages and the startup
  line that says why no mail is sent.
"""
