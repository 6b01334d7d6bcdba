"""HTTP under load: gunicorn (config/gunicorn.conf.py) on loopback, keep-alive clients.

Run: ``.venv/bin/python bench/http_load.py --n 100000 [--db URL] [--seconds 60] [--hot K]`` after
``bench/corpus.py``.  For 8 and 32 concurrent clients: first ``/healthz`` alone, then a mix
of 90% reads (claim pages and searches) and 10% status changes (CSRF token, version), each
for ``--seconds``; between them, claim pages alone (logged in), which is what the claim-page
rate is judged on (in the mix, slow status changes and searches hold the clients), and
status changes alone (each client on its own 20 claims, whose versions and statuses it reads
before the clock starts, always asking for a different status: durable writes per second).
``--phases`` runs a subset.  Prints requests/s and p50/p99 per kind, the ratio to /healthz,
the gunicorn workers' CPU time per request (from /proc: a figure other load on the machine
does not inflate), 5xx and "database is locked" counts, and the workers' resident memory.
Claim pages do not score similar claims; ``--panel P`` makes a share P of claim page views
also fetch ``/claims/<id>/matches`` (the panel a browser with JavaScript loads after the
page).  ``--hot K`` draws claim pages from K fixed ids (a working set the page cache holds)
instead of uniformly from the whole archive (nearly every view a cache miss); ``--warm``
makes every client fetch each hot id once (and in the mix each search query once) before the
clock starts, so the phase measures the cached path alone (each worker otherwise renders every
hot page and first answers every query inside it: its alias index, statements, cards).  The client
is asyncio in one process on the same machine, so it takes CPU from the server too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import BENCH_PASSWORD, BENCH_USER  # noqa: E402
from bench.search import percentile  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')
STATUS_RE = re.compile(r'name="status"[^>]*>.*?<option value="(\w+)" selected', re.S)
# Claims each client changes in the writes phase, read before the clock starts.
WRITE_SET = 20
SEED_HOT = 11
STATUSES = ["in_progress", "false", "true", "mixed", "misleading", "mostly_false"]
QUERIES = ["بوتين", "وبوتين", "Putin", "علييف", "الحكومة", "الأسعار", "لأردوغان", "الانتخابات",
           "السيسي", "القمح", "الكهرباء", "مصر", "بغداد", "الحرب", "البطالة", "Trump"]


class Client:
    """One keep-alive HTTP/1.1 connection with its own cookie."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie = port, ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, form: dict[str, str] | None = None,
                      store_cookie: bool = True, retry: bool = True) -> tuple[int, str]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
        if self.cookie:
            head.append(f"Cookie: claims_session={self.cookie}")
        if form is not None:
            head += ["Content-Type: application/x-www-form-urlencoded",
                     f"Content-Length: {len(body)}"]
        assert self.writer and self.reader
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            # The server closed this keep-alive connection (a worker recycled after
            # max_requests): reconnect, and resend a GET as HTTP clients do; a POST is not
            # resent (it may have been applied) and counts as a dropped request.
            self.writer.close()
            self.writer = None
            if method == "GET" and retry:
                return await self.request(method, path, form, store_cookie, retry=False)
            return 0, ""
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif (name == "set-cookie" and value.startswith("claims_session=")
                  and store_cookie):
                self.cookie = value.split(";", 1)[0].split("=", 1)[1]
            elif name == "connection" and value.lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.writer = None
        return status, data.decode("utf-8", "replace")

    async def login(self) -> str:
        _, page = await self.request("GET", "/login")
        token = CSRF_RE.search(page)
        assert token, "no CSRF token on the login page"
        status, _ = await self.request("POST", "/login", {
            "csrf_token": token.group(1), "username": BENCH_USER, "password": BENCH_PASSWORD})
        assert status == 302, f"login failed ({status})"
        _, page = await self.request("GET", "/claims/new")  # login starts a new session
        token = CSRF_RE.search(page)
        assert token, "no CSRF token on the new-claim page"
        return token.group(1)


async def _worker(k: int, clients: int, port: int, until: float, mode: str, max_id: int,
                  stats: dict[str, list[float]], errors: dict[str, int],
                  panel: float = 0.0, hot: Sequence[int] = (),
                  session: tuple[Client, str] | None = None,
                  known: dict[int, tuple[int, str]] | None = None) -> None:
    rng = random.Random(k)
    client, token = session or (Client(port), "")
    known = {} if known is None else known  # claim id -> (version, status) as last seen
    # The claims this client changes, read before the clock (a desk works on its own set)
    mine = list(known) or list(range(1 + k, max_id + 1, clients))
    while time.perf_counter() < until:
        roll = rng.random()
        if mode == "healthz":
            kind, method, path, form = "healthz", "GET", "/healthz", None
        elif mode == "pages":
            claim_id = rng.choice(hot) if hot else rng.randint(1, max_id)
            kind, method, path, form = "claim page alone", "GET", f"/claims/{claim_id}", None
        elif mode == "writes" or roll < 0.10:
            claim_id = rng.choice(mine)
            if claim_id not in known:
                known[claim_id] = _claim_state((await client.request(
                    "GET", f"/claims/{claim_id}"))[1])
            kind = "status changes alone" if mode == "writes" else "status change"
            method, path = "POST", f"/claims/{claim_id}/status"
            # Never the status it has: a same-status request is refused (422), not a write.
            target = rng.choice([s for s in STATUSES if s != known[claim_id][1]])
            form = {"csrf_token": token, "status": target,
                    "version": str(known[claim_id][0]), "note": "bench"}
        elif roll < 0.70:
            claim_id = rng.choice(hot) if hot else rng.randint(1, max_id)
            kind, method, path, form = "claim page", "GET", f"/claims/{claim_id}", None
        else:
            kind, method, path, form = "search", "GET", \
                "/claims?q=" + urllib.parse.quote(rng.choice(QUERIES)), None
        began = time.perf_counter()
        # A browser follows a status change's redirect, and the page shows (and drops) its
        # flash message; this client does not, so it keeps its session cookie unchanged
        # rather than carry a growing list of unread flashes into every later request.
        status, page = await client.request(method, path, form, store_cookie=method == "GET")
        if status == 0:  # the server had closed the connection (twice for a GET): not timed
            errors["dropped connection"] += 1
            if method == "POST":
                known.pop(claim_id, None)  # its state is read again before the next change
            continue
        stats[kind].append((time.perf_counter() - began) * 1000)
        if status >= 500:
            errors["5xx"] += 1
        if kind == "claim page" and rng.random() < panel:
            # What a browser with JavaScript does next: fetch the similar-claims panel.
            began = time.perf_counter()
            status, _ = await client.request("GET", path + "/matches")
            stats["matches panel"].append((time.perf_counter() - began) * 1000)
            if status >= 500:
                errors["5xx"] += 1
        if kind.startswith("status change"):
            if status == 302:
                known[claim_id] = (known[claim_id][0] + 1, target)
            else:
                errors[f"status change {status}"] += 1
                known[claim_id] = _claim_state(page)


async def _warm(client: Client, hot: Sequence[int], searches: bool = False) -> None:
    for claim_id in hot:
        await client.request("GET", f"/claims/{claim_id}")
    for q in QUERIES if searches else ():
        await client.request("GET", "/claims?q=" + urllib.parse.quote(q))


def _claim_state(page: str) -> tuple[int, str]:
    """(version, status) shown on a claim page."""
    version, status = VERSION_RE.search(page), STATUS_RE.search(page)
    return (int(version.group(1)) if version else 1, status.group(1) if status else "")

def phase(port: int, master: int, clients: int, seconds: float, mode: str, max_id: int,
          panel: float = 0.0, hot: Sequence[int] = (), warm: bool = False
          ) -> tuple[dict[str, list[float]], dict[str, int], float, WorkerCPU]:
    """Run ``clients`` concurrent clients for ``seconds``: latencies, errors, elapsed, CPU.

    The workers' CPU is counted from when the clock starts (after logins and reads, and
    with ``warm`` after each client has fetched every hot id once, over the connection it then
    measures on, so that the workers serving the phase hold the working set).
    """
    stats: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)

    async def main() -> float:
        # Log in one client at a time before the clock starts: logins hash passwords inside
        # a write transaction, and many at once under load can outwait SQLite's busy timeout.
        sessions: list[tuple[Client, str] | None] = [None] * clients
        desks: list[dict[int, tuple[int, str]]] = [{} for _ in range(clients)]
        if mode in ("mix", "pages", "writes"):
            for k in range(clients):
                client = Client(port)
                sessions[k] = (client, await client.login())
                for claim_id in (range(1 + k, max_id + 1, clients)[:WRITE_SET]
                                 if mode in ("writes", "mix") else ()):
                    desks[k][claim_id] = _claim_state(
                        (await client.request("GET", f"/claims/{claim_id}"))[1])
        if warm and mode in ("mix", "pages"):
            await asyncio.gather(*(_warm(session[0], hot, mode == "mix")
                                   for session in sessions if session))
        cpu.append(WorkerCPU(master))
        until = time.perf_counter() + seconds
        began = time.perf_counter()
        await asyncio.gather(*(_worker(k, clients, port, until, mode, max_id, stats, errors,
                                       panel, hot, sessions[k], desks[k])
                               for k in range(clients)))
        return time.perf_counter() - began

    cpu: list[WorkerCPU] = []
    elapsed = asyncio.run(main())
    return stats, errors, elapsed, cpu[0]


def _workers(master: int) -> list[tuple[int, dict[str, str]]]:
    """(pid, /proc status fields) of each child of the gunicorn master."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == master:
            found.append((int(entry.name), fields))
    return found


class WorkerCPU:
    """CPU time the gunicorn workers spend in a phase: robust to other load on the machine."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.start = self._times()

    def _times(self) -> dict[int, float]:
        """CPU seconds (user + system) of each live worker, by pid."""
        seconds = {}
        for pid, _ in _workers(self.master):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return seconds

    def per_request(self, requests: int) -> float | None:
        """Milliseconds of worker CPU per request since this object was made."""
        # A worker recycled by max_requests in between counts from zero, not negatively.
        spent = sum(now - self.start.get(pid, 0.0) for pid, now in self._times().items())
        return spent * 1000 / requests if requests else None


def worker_rss(master: int) -> list[int]:
    """Resident memory (MiB) of each gunicorn worker (children of the master)."""
    return [int(fields.get("VmRSS", "0 kB").split()[0]) // 1024
            for _, fields in _workers(master)]


def main(argv: Sequence[str] | None = None) -> None:
    """Start gunicorn on the bench database, run the phases, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: instance/ SQLite)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--panel", type=float, default=0.0,
                        help="share of claim page views followed by the /matches panel "
                             "fetch a browser with JavaScript makes (default 0)")
    parser.add_argument("--phases", default="healthz,mix,pages,writes",
                        help="comma-separated subset of healthz, mix, pages, writes "
                             "(healthz always runs: it is the baseline)")
    parser.add_argument("--hot", type=int, default=0,
                        help="claim pages drawn from this many ids (a working set the page "
                             "cache can hold) instead of uniformly from the whole archive")
    parser.add_argument("--warm", action="store_true",
                        help="with --hot: every client fetches each hot id (and in the mix "
                             "each search query) once before the clock starts (steady-state "
                             "cost of cached pages)")
    args = parser.parse_args(argv)
    url = args.db or f"sqlite:///{ROOT / 'instance' / f'bench-{args.n}.sqlite3'}"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"claims-bench-gunicorn-{port}.log"
    env = dict(os.environ, CLAIMS_DATABASE_URL=url, CLAIMS_ENV="production",
               CLAIMS_SECRET_KEY=secrets.token_urlsafe(48), CLAIMS_ALLOWED_HOSTS="127.0.0.1")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "config" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}"], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        _wait(port)
        from sqlalchemy import text

        from claims.db import make_engine

        engine = make_engine(url)
        with engine.connect() as conn:
            max_id = int(conn.scalar(text("SELECT max(id) FROM claims")) or 1)
        engine.dispose()
        # Fixed seed: the same working set in every run and phase.
        hot = random.Random(SEED_HOT).sample(range(1, max_id + 1), args.hot) if args.hot else []
        wanted = set(args.phases.split(","))
        rows: list[tuple[int, str, float, list[float], float, dict[str, int], float | None]] = []
        for clients in (int(c) for c in args.clients.split(",")):
            health, _, h_elapsed, cpu = phase(port, server.pid, clients, args.seconds,
                                              "healthz", max_id)
            health_rate = len(health["healthz"]) / h_elapsed
            rows.append((clients, "healthz", health_rate, health["healthz"], 1.0, {},
                         cpu.per_request(len(health["healthz"]))))
            if "mix" in wanted:
                stats, errors, elapsed, cpu = phase(port, server.pid, clients, args.seconds,
                                                    "mix", max_id, args.panel, hot, args.warm)
                mixed_cpu = cpu.per_request(sum(len(v) for v in stats.values()))
                for kind in ("claim page", "matches panel", "search", "status change"):
                    if stats[kind]:
                        rate = len(stats[kind]) / elapsed
                        rows.append((clients, kind, rate, stats[kind], rate / health_rate,
                                     errors, None))
                total = sum(len(v) for v in stats.values()) / elapsed
                rows.append((clients, "all (mix)", total, [x for v in stats.values() for x in v],
                             total / health_rate, errors, mixed_cpu))
            if "pages" in wanted:
                alone, _, p_elapsed, cpu = phase(port, server.pid, clients, args.seconds,
                                                 "pages", max_id, 0.0, hot, args.warm)
                done = alone["claim page alone"]
                rows.append((clients, "claim page alone", len(done) / p_elapsed, done,
                             len(done) / p_elapsed / health_rate, {}, cpu.per_request(len(done))))
            if "writes" in wanted:
                # Durable writes alone: each client changes the status of its own claims.
                writes, w_errors, w_elapsed, cpu = phase(port, server.pid, clients,
                                                         args.seconds, "writes", max_id)
                done = writes["status changes alone"]
                rows.append((clients, "status changes alone", len(done) / w_elapsed, done,
                             len(done) / w_elapsed / health_rate, w_errors,
                             cpu.per_request(len(done))))
        rss = worker_rss(server.pid)
        locked = log.read_text(errors="replace").count("database is locked")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    pages = f"claim pages from {args.hot:,} hot ids" if args.hot else "claim pages uniform"
    pages += " (warmed)" if args.hot and args.warm else ""
    print(f"\nHTTP on {url.split(':')[0]}, {max_id:,} claims, gunicorn {len(rss)} workers, "
          f"{args.seconds:.0f} s per phase, {pages}")
    print("| clients | requests | req/s | p50 ms | p99 ms | rate ÷ healthz "
          "| worker CPU ms/request | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for clients, kind, rate, times, ratio, errors, cpu_ms in rows:
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())) if (
            kind.startswith("all") or kind.endswith("alone")) else ""
        cpu_cell = f"{cpu_ms:.2f}" if cpu_ms is not None else ""
        print(f"| {clients} | {kind} | {rate:,.0f} | {percentile(times, 50):.1f} | "
              f"{percentile(times, 99):.1f} | {ratio:.2f} | {cpu_cell} | {shown} |")
    print(f"\nworker RSS (MiB): {rss}; 'database is locked' in the server log: {locked}")


def _wait(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = asyncio.run(Client(port).request("GET", "/healthz"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz")


if __name__ == "__main__":
    main()
