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
# No access log by default; MATCHER_ACCESS_LOG names a file ("-" for stdout) to switch it
# on. Measured with benchmarks/load_api.py (wrk, 16 connections, 2 x 6 s per endpoint, SQLite,
# the shared 2-core machine at a load average of 9-11 from other jobs, A/B twice): the bare
# Flask app served 4,401 and 3,944 req/s with the log on, 5,013 and 5,033 with it off (about
# a fifth more); the app's health check 3,597 / 3,579 on, 3,144 / 4,660 off (noise of the
# other load). 4 threads per worker instead of 2 changed nothing measurable (partners
# 2,065 / 2,544 req/s with 2 threads, 1,795 / 2,671 with 4), so 2 stay.
accesslog = os.environ.get("MATCHER_ACCESS_LOG", "") or None
errorlog = "-"
# Each worker builds its own scoring index from the database and follows the database's
# changes on its own (a profile write is applied as a delta, see services/indexes.py): no
# shared mutable state. gthread, not sync: the app's answers are mostly kept in memory, so
# a request is short and CPU-bound, and two threads let one worker answer while its other
# thread applies a delta or ranks an unseen city (readers never wait for either).
preload_app = False
