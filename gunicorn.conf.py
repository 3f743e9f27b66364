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
# Access log to stdout by default; MATCHER_ACCESS_LOG names another file, or "" to switch it
# off. Measured against the bare Flask app of benchmarks/load_api.py on the shared 2-core
# machine (wrk, 16 connections, 6 s, twice each way): on 294 and 412 req/s, off 237 and 126
# req/s, i.e. within the noise of the other load there; the log stays on until a quieter
# measurement shows its cost.
accesslog = os.environ.get("MATCHER_ACCESS_LOG", "-") or None
errorlog = "-"
# Each worker builds its own scoring index from the database and follows the database's
# changes on its own (a profile write is applied as a delta, see services/indexes.py): no
# shared mutable state. gthread, not sync: the app's answers are mostly kept in memory, so
# a request is short and CPU-bound, and two threads let one worker answer while its other
# thread applies a delta or ranks an unseen city (readers never wait for either).
preload_app = False
