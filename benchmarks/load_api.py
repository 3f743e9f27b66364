"""Load test of the JSON API under gunicorn, every figure a ratio to a baseline of the same run.

In one run, on loopback, with the project's ``gunicorn.conf.py`` unchanged:

1. ``bare``: a bare Flask app (``benchmarks/bare_app.py``, ``jsonify`` only) on the same
   gunicorn configuration, served at the same time as the app (on its own port): what the
   framework and server cost per request;
2. the app, on a freshly seeded temporary SQLite database (or ``--database-url``, e.g.
   PostgreSQL), each endpoint driven by ``--clients`` keep-alive connections for
   ``--seconds`` seconds, over ``--cities`` rotating cities (so no single answer stays warm):
   ``health``; ``search`` (``/cities/search?q=``, SYNTHETIC one-typo versions of real names);
   ``city`` (``/cities/<slug>``); ``partners`` (``/cities/<slug>/partners``); ``calls``
   (``/cities/<slug>/calls``); and ``partners+writes``: partners again while a writer
   replaces one city's declared profile every ``--write-interval`` seconds (``PUT
   /cities/<slug>/profile``, a random seeded city each time).

The endpoints are driven in turn, ``--rounds`` times over (each gets ``--seconds`` in all),
so that the load other processes put on a shared machine falls on every endpoint alike.
Before the measured runs every connection requests every path once (a warm-up), so the figures
are those of cities being served, whose answers change only with the data.

It prints requests per second, median and 95th percentile per endpoint, the ratios the issue
sets bars for (health / bare >= 0.8; search, city, partners / health >= 0.5; calls / health
>= 0.25; partners+writes / partners >= 0.5) with a verdict each, and the memory of each
worker (RSS and PSS) next to the bare app's worker, and what the indexes and answer caches
add per 1,000 cities (the worker at the end against itself before it built any index).

``--europe`` runs at the full-Europe scale (about 99,000 municipalities): with
``--europe-csv FILE`` (the set ``make data-europe`` builds, imported with ``matcher import
cities``), else a SYNTHETIC scale-up of the seed (labelled so in the output; see
``benchmarks/_synthetic.py``).

The load generator is ``wrk`` (Debian package) when installed, else Python client threads
(install-free, but they share the 2 cores with the server: compare ratios, not absolute
figures). Every run is bounded in time and stops its servers on exit, errors or Ctrl-C.

Run: ``python benchmarks/load_api.py`` (full), ``--quick`` (a smoke run of ~1 minute).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import (  # noqa: E402
    LatencySummary,
    argument_parser,
    ms,
    print_machine,
    print_table,
)

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 300.0  # a worker fits its indexes before it answers (longer at 99k)
REQUEST_TIMEOUT_S = 30.0
EUROPE_CITIES = 99_000
WRITER_TOKEN = "load-benchmark-writer"
#: (name, baseline, bar): the endpoint's req/s must reach bar x the baseline's.
BARS = (
    ("health", "bare", 0.8),
    ("search", "health", 0.5),
    ("city", "health", 0.5),
    ("partners", "health", 0.5),
    ("calls", "health", 0.25),
    ("partners+writes", "partners", 0.5),
)
PROFILE_KINDS = ("interest", "need", "offer")


# --------------------------------------------------------------------------- database


def prepare_database(url: str, data_dir: Path, args, rng: random.Random) -> tuple[list, str]:
    """Migrate and (when empty) seed the database at ``url``; scale it up for ``--europe``.
    Returns (slug, name) of every real seeded city and a label of what the data is."""
    from matcher import create_app
    from matcher.db import get_database, repository
    from matcher.services import data as data_service

    app = create_app({"DATABASE_URL": url, "DATA_DIR": str(data_dir)}, with_web=False)
    database = get_database(app)
    data_service.upgrade_schema(database)
    session = database.session()
    try:
        if repository.count_cities(session) == 0:
            data_service.seed(session, data_dir)
        label = "seed"
        if args.europe and args.europe_csv:
            label = f"europe: {args.europe_csv}"
            matcher = Path(sys.executable).with_name("matcher")
            subprocess.run([str(matcher), "import", "cities", str(args.europe_csv)],
                           check=True, cwd=ROOT,
                           env={**os.environ, "MATCHER_DATABASE_URL": url})  # fmt: skip
        elif args.europe:
            from benchmarks._synthetic import SYNTHETIC_SOURCE, scale_up

            real = [c for c in repository.all_cities(session) if c.source != SYNTHETIC_SOURCE]
            added = scale_up(session, real, EUROPE_CITIES, rng)
            if added:
                repository.bump_data_version(session)
                session.commit()
            label = f"SYNTHETIC europe scale-up ({added:,} made-up copies added to the seed)"
        cities = [(c.slug, c.name) for c in repository.all_cities(session)
                  if not c.slug.startswith("zz-synthetic-")]  # fmt: skip
        total = repository.count_cities(session)
    finally:
        session.close()
        database.dispose()
    return cities, f"{total:,} cities ({label})"


def one_typo(name: str, rng: random.Random) -> str:
    """``name`` lower-cased with one letter dropped (a SYNTHETIC typo), kept for short names."""
    text = name.lower()
    if len(text) < 5:
        return text
    position = rng.randrange(1, len(text) - 1)
    return text[:position] + text[position + 1 :]


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(target: str, port: int, env: dict[str, str], log: Path) -> Iterator[int]:
    """Run ``gunicorn --config gunicorn.conf.py target`` on ``HOST:port`` until the block
    exits; yields the master's pid. The config is used as it is (workers, threads, logs)."""
    env = {**os.environ, **env, "MATCHER_BIND": f"{HOST}:{port}"}
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", target]
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
        try:
            wait_until_ready(port, process)
            yield process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                connection.close()
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT_S:.0f} s")


def worker_memory(master_pid: int) -> list[tuple[float, float]]:
    """(RSS, PSS) in MB of each worker of the gunicorn master (Linux /proc)."""
    out = []
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return out
    for pid in children:
        fields = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
                key, value, *_ = line.split()
                fields[key.rstrip(":")] = int(value) / 1024
        if fields:
            out.append((fields.get("Rss", 0.0), fields.get("Pss", 0.0)))
    return out


# --------------------------------------------------------------------------- load


@dataclass
class ClientResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


def _client(port: int, paths: list[str], offset: int, stop_at: float, out: ClientResult) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    index = offset
    while time.monotonic() < stop_at:
        path = paths[index % len(paths)]
        index += 1
        start = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept": "application/json"})
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            out.errors += 1
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
            continue
        out.latencies.append(time.perf_counter() - start)
        if response.status != 200:
            out.errors += 1
    connection.close()


@dataclass(frozen=True)
class LoadResult:
    name: str
    summary: LatencySummary
    errors: int
    seconds: float
    writes: int = 0

    @property
    def rps(self) -> float:
        return self.summary.count / self.seconds if self.seconds else 0.0


def drive(name: str, port: int, paths: list[str], clients: int, seconds: float) -> LoadResult:
    """``clients`` keep-alive Python clients request ``paths`` round-robin for ``seconds``."""
    results = [ClientResult() for _ in range(clients)]
    start = time.monotonic()
    stop_at = start + seconds
    threads = [
        threading.Thread(target=_client, args=(port, paths, i * 7, stop_at, results[i]))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S + 5)
    elapsed = time.monotonic() - start
    latencies = [latency for result in results for latency in result.latencies]
    errors = sum(result.errors for result in results)
    return LoadResult(name, LatencySummary.of(latencies), errors, elapsed)


def warm_up(port: int, paths: list[str], clients: int) -> None:
    """Every one of ``clients`` connections requests every path once, so each worker has
    (almost surely) answered each path before it is measured: the figures are the steady
    state of a served city, whose answers only change with the data."""
    threads = [threading.Thread(target=_each_once, args=(port, paths[i:] + paths[:i]))
               for i in range(0, clients * 7, 7)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=STARTUP_TIMEOUT_S)


def _each_once(port: int, paths: list[str]) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    for path in paths:
        try:
            connection.request("GET", path)
            connection.getresponse().read()
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    connection.close()


#: wrk script: cycle through the paths, and print the figures we need in one line at the end
#: (wrk's own summary has no 95th percentile). Non-2xx answers count as errors.
_WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%.0f %%.0f %%.0f %%.0f %%.0f %%.0f\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50),
    latency:percentile(95), latency.mean, summary.duration))
end
"""


def drive_wrk(name: str, port: int, paths: list[str], clients: int, seconds: float) -> LoadResult:
    """The same load generated by wrk (C, event loop): the client then takes a sliver of the
    two cores instead of competing with the server as Python client threads do."""
    quoted = ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % quoted)
    try:
        completed = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s",
             f"--timeout={int(REQUEST_TIMEOUT_S)}s", "-s", script.name, f"http://{HOST}:{port}/"],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))
    count, errors, p50, p95, mean, duration = (int(float(v)) for v in line.split()[1:])
    summary = LatencySummary(count=count, median=p50 / 1e6, p95=p95 / 1e6, mean=mean / 1e6)
    return LoadResult(name, summary, errors, duration / 1e6)


class ProfileWriter:
    """Replaces one city's declared profile every ``interval`` seconds while running (a random
    city of ``slugs``, random weights over ``themes``); counts writes and failures."""

    def __init__(self, port: int, slugs: list[str], themes: list[str], interval: float, seed):
        self.port, self.slugs, self.themes, self.interval = port, slugs, themes, interval
        self.rng = random.Random(seed)
        self.writes = self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ProfileWriter:
        """Start writing (again: the writer is used once per round)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=REQUEST_TIMEOUT_S + 5)

    def _run(self) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        headers = {"Authorization": f"Bearer {WRITER_TOKEN}", "Content-Type": "application/json"}
        while not self._stop.wait(self.interval):
            slug = self.rng.choice(self.slugs)
            kind = self.rng.choice(PROFILE_KINDS)
            weights = {t: round(self.rng.uniform(0.1, 1.0), 2)
                       for t in self.rng.sample(self.themes, 3)}  # fmt: skip
            body = json.dumps({kind: weights})
            try:
                connection.request("PUT", f"/api/v1/cities/{slug}/profile", body, headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
            self.writes += ok
            self.failures += not ok
        connection.close()


# --------------------------------------------------------------------------- main


def scenarios(cities: list[tuple[str, str]], rng: random.Random, count: int) -> dict:
    """The rotating paths of each endpoint, over ``count`` cities sampled from the seed."""
    sample = rng.sample(cities, min(len(cities), count))
    return {
        "health": ["/api/v1/health"],
        "search": [f"/api/v1/cities/search?q={quote(one_typo(n, rng))}" for _, n in sample],
        "city": [f"/api/v1/cities/{slug}" for slug, _ in sample],
        "partners": [f"/api/v1/cities/{slug}/partners" for slug, _ in sample],
        "calls": [f"/api/v1/cities/{slug}/calls" for slug, _ in sample],
    }


def theme_ids(port: int) -> list[str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    connection.request("GET", "/api/v1/themes")
    items = json.loads(connection.getresponse().read())["items"]
    connection.close()
    return [item["id"] for item in items]


def main() -> None:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration per endpoint")
    parser.add_argument("--cities", type=int, default=200, help="rotating cities per endpoint")
    parser.add_argument("--write-interval", type=float, default=0.5, help="seconds per write")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data", help="seed to load")
    parser.add_argument("--database-url", default=None,
                        help="run against this database (e.g. postgresql+psycopg://...; it is "
                             "seeded when empty and its profiles are written to)")  # fmt: skip
    parser.add_argument("--europe", action="store_true", help="~99,000 cities (see above)")
    parser.add_argument("--europe-csv", type=Path, default=None,
                        help="the real europe set in the import format (make data-europe); "
                             "without it --europe scales the seed up SYNTHETICALLY")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (see measure)")
    parser.add_argument("--port", type=int, default=None,
                        help="serve the app on this port and the bare app on the next one "
                             "(default: two free ports)")  # fmt: skip
    parser.add_argument("--only", nargs="*", default=None, help="endpoints to drive")
    parser.add_argument(
        "--driver",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator: wrk (Debian package, default when installed) or Python threads",
    )
    args = parser.parse_args()
    seconds = min(args.seconds, 3.0) if args.quick else args.seconds
    clients = max(1, min(args.clients, 200))
    rng = random.Random(args.seed)
    run = drive_wrk if args.driver == "wrk" else drive

    with tempfile.TemporaryDirectory(prefix="matcher-load-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'load.sqlite3'}"
        cities, label = prepare_database(url, args.data_dir, args, rng)
        paths = scenarios(cities, rng, 20 if args.quick else args.cities)
        wanted = set(args.only or (*paths, "partners+writes"))
        print_machine()
        print(f"{label} on {url.split(':')[0]}; {len(paths['city'])} rotating cities; "
              f"{clients} connections x {seconds:.0f} s per endpoint; driver {args.driver}; "
              f"a profile write every {args.write_interval:g} s in partners+writes")  # fmt: skip
        log = Path(folder) / "gunicorn.log"
        token_hash = hashlib.sha256(WRITER_TOKEN.encode()).hexdigest()
        env = {"MATCHER_DATABASE_URL": url, "MATCHER_API_TOKEN_HASHES": token_hash,
               "MATCHER_INDEX_CACHE_DIR": str(Path(folder) / "cache")}  # fmt: skip
        if args.port:
            app_port, bare_port = args.port, args.port + 1
        else:
            bare_port, app_port = free_port(), free_port()
        try:
            with (
                gunicorn(
                    "benchmarks.bare_app:app", bare_port, {}, log.with_name("bare.log")
                ) as bare_master,
                gunicorn("wsgi:app", app_port, env, log) as app_master,
            ):
                warm_up(bare_port, paths["health"], clients)
                warm_up(app_port, paths["health"], clients)
                # The app's workers before any index is built: libraries, Flask, the app.
                unindexed = worker_memory(app_master)
                for name, urls in paths.items():  # every worker sees every path first
                    if name in wanted and name != "health":
                        warm_up(app_port, urls, clients)
                slugs = [slug for slug, _ in cities]
                writer = ProfileWriter(app_port, slugs, theme_ids(app_port),
                                       args.write_interval, args.seed)  # fmt: skip
                results = measure(run, bare_port, app_port, paths, wanted, writer, clients,
                                  seconds, 1 if args.quick else args.rounds)  # fmt: skip
                bare_memory, memory = worker_memory(bare_master), worker_memory(app_master)
        except RuntimeError:
            print(log.read_text(), file=sys.stderr)
            raise
    report(results)
    verdicts(results)
    memory_report(memory, unindexed, bare_memory, label)


def measure(run, bare_port, app_port, paths, wanted, writer, clients, seconds, rounds):
    """Every endpoint in turn, ``rounds`` times over (``seconds`` split between the rounds),
    so that the other load on a shared machine falls on all of them alike; returns the
    totals per endpoint. ``partners+writes`` runs with the writer on, last in each round,
    and the partner answers are asked for once more after it (re-warming what it changed)."""
    slot = max(1.0, seconds / rounds)
    runs: dict[str, list[LoadResult]] = {}
    for _round in range(rounds):
        runs.setdefault("bare", []).append(run("bare", bare_port, paths["health"], clients, slot))
        for name, urls in paths.items():
            if name in wanted or name == "health":
                runs.setdefault(name, []).append(run(name, app_port, urls, clients, slot))
        if "partners+writes" in wanted:
            with writer:
                result = run("partners+writes", app_port, paths["partners"], clients, slot)
            runs.setdefault("partners+writes", []).append(result)
            _each_once(app_port, paths["partners"])
    results = {name: _total(name, parts) for name, parts in runs.items()}
    if "partners+writes" in results:
        total = results["partners+writes"]
        results["partners+writes"] = LoadResult(total.name, total.summary,
                                                total.errors + writer.failures, total.seconds,
                                                writes=writer.writes)  # fmt: skip
    return results


def _total(name: str, parts: list[LoadResult]) -> LoadResult:
    """Several runs of one endpoint as one: summed requests and time, the worst percentiles
    and the mean of the medians (the runs are of equal length)."""
    count = sum(p.summary.count for p in parts)
    summary = LatencySummary(
        count=count,
        median=sum(p.summary.median for p in parts) / len(parts),
        p95=max(p.summary.p95 for p in parts),
        mean=sum(p.summary.mean * p.summary.count for p in parts) / count if count else 0.0,
    )
    return LoadResult(name, summary, sum(p.errors for p in parts), sum(p.seconds for p in parts))


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"


def report(results: dict[str, LoadResult]) -> None:
    """One row per endpoint, with its ratio to the baseline its bar names."""
    baseline_of = {name: base for name, base, _bar in BARS}
    rows = []
    for r in results.values():
        base = results.get(baseline_of.get(r.name, ""))
        rows.append([r.name, f"{r.summary.count:,}", r.errors, f"{r.rps:,.0f}",
                     ms(r.summary.median), ms(r.summary.p95),
                     f"{ratio(r.rps, base.rps)} of {base.name}" if base else "-",
                     r.writes or ""])  # fmt: skip
    print_table(["endpoint", "requests", "errors", "req/s", "median", "p95", "req/s ratio",
                 "writes"], rows)  # fmt: skip


def verdicts(results: dict[str, LoadResult]) -> None:
    """Print each bar of the issue with the ratio measured in this run."""
    for name, base, bar in BARS:
        if name in results and base in results:
            value = results[name].rps / results[base].rps if results[base].rps else 0.0
            verdict = "meets" if value >= bar else "MISSES"
            print(f"{name}: {value:.2f} of {base} (bar {bar:.2f}): {verdict}")


def memory_report(memory, unindexed, bare_memory, label: str) -> None:
    """Worker memory next to the bare app's, and what the indexes and answer caches add per
    1,000 cities: the worker at the end against the same worker before it built any index
    (the libraries and the app itself, a fixed cost, are not counted per city)."""
    if not memory:
        print("worker memory: not available (no /proc)")
        return
    cities = int(label.split(" ", 1)[0].replace(",", ""))
    rss = max(m[0] for m in memory)
    pss = max(m[1] for m in memory)
    base = max((m[0] for m in unindexed), default=0.0)
    bare_rss = max((m[0] for m in bare_memory), default=0.0)
    print(f"worker memory (largest of {len(memory)}): RSS {rss:,.0f} MB, PSS {pss:,.0f} MB; "
          f"bare Flask worker RSS {bare_rss:,.0f} MB; the app's worker before any index "
          f"{base:,.0f} MB; indexes and answer caches {rss - base:,.0f} MB = "
          f"{(rss - base) / (cities / 1000):,.1f} MB per 1,000 cities ({label})")  # fmt: skip


if __name__ == "__main__":
    main()
