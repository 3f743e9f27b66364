"""gunicorn settings; override with GUNICORN_CMD_ARGS or MATCHER_* variables."""

import multiprocessing
import os

bind = os.environ.get("MATCHER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("MATCHER_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("MATCHER_THREADS", 2))
worker_class = "gthread"
timeout = 60
accesslog = "-"
errorlog = "-"
# Each worker builds its own scoring index from the database; no shared mutable state.
preload_app = False
