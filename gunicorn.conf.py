"""gunicorn settings; override with GUNICORN_CMD_ARGS or MATCHER_* variables."""

import multiprocessing
import os

bind = os.environ.get("MATCHER_BIND", "127.0.0.1:8000")
# One worker per core: the work is CPU-bound Python (ranking, explanations), so more
# processes only contend for the cores; measured on 2 cores with benchmarks/load_api.py,
# 2 workers x 2 threads served the partners API at ~480 req/s against ~400 with 4 workers.
workers = int(os.environ.get("MATCHER_WORKERS", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("MATCHER_THREADS", 2))
worker_class = "gthread"
timeout = 60
accesslog = "-"
errorlog = "-"
# Each worker builds its own scoring index from the database; no shared mutable state.
preload_app = False
