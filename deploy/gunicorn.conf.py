"""gunicorn settings for one LIFE Academy node behind nginx: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value comes from the environment, so deploy/stack.py (and a real server's unit file) start
each node with the same file. The app reads WEB_CONCURRENCY too: more than one worker in production
needs REDIS_URL, or each worker would count failed logins on its own."""
from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Threads let a worker go on while another request waits on the database; sync workers otherwise.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# nginx buffers slow clients, so a request that takes 30 s is stuck, not slow: restart the worker.
timeout = 30
graceful_timeout = 20
# nginx keeps upstream connections open (its `keepalive`); a little longer than nginx's idle time.
keepalive = 75
# A worker that leaks memory is replaced now and then; the jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Only nginx on this host may say the request came over HTTPS; the app's ProxyFix (TRUSTED_PROXIES)
# decides which X-Forwarded-For hop is the client.
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = os.environ.get("GUNICORN_NAME", "life-academy")
# The path without the query string: a query may hold what a user typed (a search), which logs never keep.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
