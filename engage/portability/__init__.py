"""Moving in and out: importers (WordPress, Disqus, Isso, engage's own export), exporters
(engage JSON, WXR), a reader's data on request (export, erasure) and retention.

Modules: ``records`` (what every importer yields), ``wordpress``/``disqus``/``isso``/
``engage_format`` (the parsers), ``loader`` (writes what the parsers yield, remembers source
ids), ``exporter``/``wxr`` (the exports), ``authors`` (reader requests), ``retention`` (purge,
and the server's periodic run), ``routes`` (the admin API), ``cli`` (the commands).
"""
