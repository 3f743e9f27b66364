"""Load test of the JSON API under gunicorn, against a trivial endpoint of the same server.

Starts ``gunicorn --config gunicorn.conf.py wsgi:app`` on a free 127.0.0.1 port with a freshly
seeded temporary SQLite database, then drives each endpoint in turn with ``--clients``
concurrent keep-alive clients (threads, ``http.client``) for ``--seconds`` seconds:

* ``health`` (baseline): ``GET /api/v1/health``, one tiny query, the floor of what any request
  costs in this stack (gunicorn, Flask, a session, JSON);
* ``search``: ``GET /api/v1/cities/search?q=...`` with SYNTHETIC one-typo versions of real names
  from the seed;
* ``city``: ``GET /api/v1/cities/<slug>`` for real seeded cities;
* ``partners``: ``GET /api/v1/cities/<slug>/partners`` (default filters, top 10) for one seeded
  city (``--partners-city``, Emmen by default), the officer's "who should we team up with";
* ``partners-mix``: the same for a sample of seeded cities in turn (no city stays warm).

Bars for the partner API (checked and printed at the end): median latency under
``PARTNERS_MEDIAN_BAR_S`` and at least ``PARTNERS_RPS_BAR`` of the health endpoint's rate.

It prints requests per second, median and 95th-percentile latency per endpoint and the ratio to
the baseline. Everything stays on loopback, the run is bounded in time, and gunicorn is stopped
at the end (also on errors or Ctrl-C). The client threads share one Python process, so at high
rates the client can saturate before the server; compare endpoints, not absolute figures.

Run: ``python benchmarks/load_api.py`` (full) or ``python benchmarks/load_api.py --quick``.
"""

from __future__ import annotations

import contextlib
import http.client
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
PARTNERS_MEDIAN_BAR_S = 0.050
PARTNERS_RPS_BAR = 0.5
STARTUP_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 30.0


# --------------------------------------------------------------------------- database


def seed_database(url: str, data_dir: Path) -> list[tuple[str, str]]:
    """Create and seed the database at ``url``; return (slug, name) of every city."""
    from matcher import create_app
    from matcher.db import get_database, repository
    from matcher.services import data as data_service

    app = create_app({"DATABASE_URL": url, "DATA_DIR": str(data_dir)})
    database = get_database(app)
    data_service.upgrade_schema(database)
    session = database.session()
    try:
        data_service.seed(session, data_dir)
        cities = [(c.slug, c.name) for c in repository.all_cities(session)]
    finally:
        session.close()
        database.dispose()
    return cities


def one_typo(name: str, rng: random.Random) -> str:
    """``name`` lower-cased with one letter dropped (a SYNTHETIC typo), kept for short names."""
    text = name.lower()
    if len(text) < 5:
        return text
    position = rng.randrange(1, len(text) - 1)
    return text[:position] + text[position + 1 :]


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, port: int, workers: int | None, log: Path) -> Iterator[None]:
    """Run gunicorn with the project's config on ``HOST:port`` until the block exits."""
    env = {**os.environ, "MATCHER_DATABASE_URL": database_url, "MATCHER_BIND": f"{HOST}:{port}"}
    if workers:
        env["MATCHER_WORKERS"] = str(workers)
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
               "--bind", f"{HOST}:{port}", "--access-logfile", os.devnull, "wsgi:app"]  # fmt: skip
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
        try:
            wait_until_ready(port, process)
            yield
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

    @property
    def rps(self) -> float:
        return self.summary.count / self.seconds if self.seconds else 0.0


def drive(name: str, port: int, paths: list[str], clients: int, seconds: float) -> LoadResult:
    """``clients`` keep-alive clients request ``paths`` round-robin for ``seconds``."""
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


#: wrk script: cycle through the paths, and print the figures we need in one line at the end
#: (wrk's own summary has no 95th percentile).
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


# --------------------------------------------------------------------------- main


def scenarios(
    cities: list[tuple[str, str]], rng: random.Random, partners_city: str
) -> dict[str, list[str]]:
    sample = rng.sample(cities, min(len(cities), 300))
    if partners_city not in {slug for slug, _ in cities}:
        raise SystemExit(f"--partners-city {partners_city!r} is not in the seed")
    return {
        "health": ["/api/v1/health"],
        "search": [f"/api/v1/cities/search?q={quote(one_typo(n, rng))}" for _, n in sample],
        "city": [f"/api/v1/cities/{slug}" for slug, _ in sample],
        "partners": [f"/api/v1/cities/{partners_city}/partners"],
        "partners-mix": [f"/api/v1/cities/{slug}/partners" for slug, _ in sample],
    }


def main() -> None:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration per endpoint")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data", help="seed to load")
    parser.add_argument("--partners-city", default="nl-emmen", help="slug for 'partners'")
    parser.add_argument(
        "--only", nargs="*", default=None, help="endpoints to drive (health always runs)"
    )
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

    with tempfile.TemporaryDirectory(prefix="matcher-load-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'load.sqlite3'}"
        cities = seed_database(database_url, args.data_dir)
        paths = scenarios(cities, rng, args.partners_city)
        if args.only:
            paths = {n: u for n, u in paths.items() if n == "health" or n in args.only}
        port = free_port()
        log = Path(folder) / "gunicorn.log"
        print_machine()
        print(f"{len(cities):,} cities seeded from {args.data_dir}; gunicorn on {HOST}:{port}; "
              f"{clients} clients x {seconds:.0f} s per endpoint, "
              f"driver {args.driver}")  # fmt: skip
        try:
            with gunicorn(database_url, port, args.workers, log):
                # Warm-up: every worker builds its name index on its first search.
                run = drive_wrk if args.driver == "wrk" else drive
                for name, urls in paths.items():
                    run(name, port, urls, clients, min(2.0, seconds))
                results = [run(n, port, u, clients, seconds) for n, u in paths.items()]
        except RuntimeError:
            print(log.read_text(), file=sys.stderr)
            raise
    report(results)
    check_partner_bars(results)


def check_partner_bars(results: list[LoadResult]) -> None:
    """Print whether the partner endpoints meet their bars against health in this run."""
    baseline = results[0]
    for result in results:
        if not result.name.startswith("partners"):
            continue
        median_ok = result.summary.median < PARTNERS_MEDIAN_BAR_S
        rps_ok = result.rps >= PARTNERS_RPS_BAR * baseline.rps
        verdict = "meets" if median_ok and rps_ok else "MISSES"
        print(
            f"{result.name}: {verdict} the bars (median {ms(result.summary.median)} "
            f"{'<' if median_ok else '>='} {ms(PARTNERS_MEDIAN_BAR_S)}; "
            f"{result.rps:,.0f} req/s = {ratio(result.rps, baseline.rps)} of health, "
            f"bar {PARTNERS_RPS_BAR:.2f}x)"
        )


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"


def report(results: list[LoadResult]) -> None:
    """One row per endpoint; the first (health) is the baseline the others are compared to."""
    baseline = results[0]
    print_table(
        ["endpoint", "requests", "errors", "req/s", "median", "p95", "median vs health",
         "req/s vs health"],
        [
            [r.name, f"{r.summary.count:,}", r.errors, f"{r.rps:,.0f}", ms(r.summary.median),
             ms(r.summary.p95), ratio(r.summary.median, baseline.summary.median),
             ratio(r.rps, baseline.rps)]
            for r in results
        ],
    )  # fmt: skip


if __name__ == "__main__":
    main()
