"""gunicorn's configuration: ``gunicorn -c jianye/gunicorn.conf.py jianye.wsgi``.

Sizing, from the cores this process may run on (``os.sched_getaffinity``):

- ``workers`` = the cores. Python runs one thread at a time per process (the GIL), so one
  process per core is what keeps every core able to run the application's Python; more
  processes than cores only add memory and switching.
- ``threads`` = 32 per worker (``gthread``). A gthread worker hands each request to one of
  its threads, first come first served: a request that finds every thread busy waits for
  one. A login waits (without holding the GIL) for its password hash, which runs at a lower
  priority in a thread of its own (accounts/hashers.py); with 4 threads a worker, 50 users
  logging in at once took every thread and the pages of users already logged in queued
  behind them (p95 2 s in a storm of 10, docs/benchmarks.md). 32 threads a worker hold a
  storm of 50 (25 a worker on 2 cores) with threads to spare for the pages; a page spends
  part of its time waiting for PostgreSQL, and another thread runs meanwhile. Every thread
  may keep a database connection: PostgreSQL's ``max_connections`` (100 by default) must
  exceed workers x threads plus the task worker's and the administrators'.
- The task worker (``manage.py db_worker``): one per machine, beside gunicorn, at nice 10
  (systemd ``Nice=10``), as its work (big imports, recomputing the cached summaries) can
  wait while pages are served. It runs one task at a time.

Every figure can be overridden from the environment: ``GUNICORN_WORKERS``,
``GUNICORN_THREADS``, ``GUNICORN_BIND`` (default 127.0.0.1:8000), ``GUNICORN_TIMEOUT``.
"""

import os

cores = len(os.sched_getaffinity(0)) or 1

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", cores))
threads = int(os.environ.get("GUNICORN_THREADS", 32))
# Load the application once in the master, then fork: the workers share its memory and
# start at once. (Nothing opens a database connection at import.)
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# Idle browser connections kept open a few seconds, as a proxy in front would.
keepalive = 5
# Restart a worker now and then (with jitter, not all at once) to bound slow memory growth.
max_requests = 5000
max_requests_jitter = 500
