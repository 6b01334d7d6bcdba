"""Gunicorn settings for `claims serve --prod`: threaded workers sized to the machine."""

from __future__ import annotations

import os

_cpus = os.cpu_count() or 1

# Stateless workers: every request opens its session from the engine's pool and closes it.
# Processes give CPU parallelism (Jinja rendering, Arabic normalisation); threads overlap
# database waits (fsync of durable writes, the write gate).  Requests are CPU-bound and each
# process keeps its own caches (claim-page fragments, list cards, search statements, the alias
# index, the NER model), so every extra process multiplies cache misses, warm-up and memory:
# one per core plus one to keep the cores busy while a process waits or renders a long page
# (gunicorn's 2 × cores + 1 is for sync workers that block on I/O; on 2 cores, 3 measured a
# lower search p99 in the mix than 5, see bench/README).
workers = int(os.environ.get("CLAIMS_WORKERS", _cpus + 1))
threads = int(os.environ.get("CLAIMS_THREADS", 4))
# gthread, with our pages for the requests gunicorn refuses itself and a Server header that
# does not name it (claims/serving.py).
worker_class = "claims.serving.Worker"
bind = os.environ.get("CLAIMS_BIND", "127.0.0.1:8000")

# Keep-alive connections from a reverse proxy; bounded requests; slow clients dropped.
keepalive = 30
timeout = 30
graceful_timeout = 20
# A recycled worker starts with cold caches (a claim page or search costs tens of times more
# until they fill), so recycle rarely: at 20,000 a loaded 2-core box restarted a worker every
# few seconds, which showed in the p99.  Every cache is bounded; this only guards against leaks.
max_requests = 500_000
max_requests_jitter = 50_000
limit_request_line = 8190
limit_request_fields = 100

# Each worker builds its own app and engine after fork (no connection crosses a fork).
preload_app = False
wsgi_app = "claims:create_app()"

accesslog = os.environ.get("CLAIMS_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("CLAIMS_LOG_LEVEL", "info")
proc_name = "claims"
# gunicorn's control socket (for gunicornc) defaults to one path per user, which a second
# instance under the same account takes over and removes when it stops; supervisors manage
# the master with signals (`claims serve --prod` execs gunicorn for that).
control_socket_disable = True
# Behind a reverse proxy on the same host, trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("CLAIMS_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker: object) -> None:
    """Load the NER model and the alias index before the worker takes its first request."""
    from claims.warmup import warm_worker

    warm_worker(worker.wsgi)  # type: ignore[attr-defined]
