"""Moderator alerts: preferences per site, instant mails and digests, one-click decision links.

- ``models``: ``AlertPreference`` (what a moderator hears about, how often, on which site),
  ``DigestItem`` (what waits for a digest), ``LinkUse`` (the one-click links already used).
- ``preferences``: set and read preferences (``engage moderator notify``).
- ``links``: signed ``/moderate/act/{token}`` tokens (moderator, comment, action, issue time).
- ``service``: the comment-event listener (``comment.held``, ``comment.reported``) and the
  decision a link's POST makes.
- ``mails``: the builders of "alert" and "digest" mails.
- ``routes``: ``GET/POST /moderate/act/{token}``.
"""
