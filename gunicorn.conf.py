"""Gunicorn's settings for serving MACE Hub in production (``make serve``), read from the
environment like the hub's own settings (README, "Production notes").

- ``MACEHUB_BIND``: address to listen on (default 127.0.0.1:8000, behind a TLS proxy).
- ``WEB_CONCURRENCY``: sync worker processes (default: CPU cores + 1; see the README for
  why not the usual 2 x cores + 1).
- ``GUNICORN_TIMEOUT``: seconds before a stuck worker is restarted (default 60: a
  national-scale report can take a while, a page must not).
- ``GUNICORN_ACCESS_LOG``: where the access log goes (default ``-``, standard output;
  empty for none).
"""

import os

bind = os.environ.get("MACEHUB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# The path without its query string: searches carry names and dates of birth in the
# query, and the access log is not the audit log (which records searches under policy).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
