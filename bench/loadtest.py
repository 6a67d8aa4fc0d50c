"""Load test: gunicorn on PostgreSQL, a morning login storm, street users entering and
submitting their quarterly returns, a check that no submitted figure was lost; ``--ramp``
raises the users until the pages' p95 crosses 500 ms; ``--profile`` says where the CPU goes.

    .venv/bin/python -m bench.loadtest            # or: make loadtest
    .venv/bin/python -m bench.loadtest --users 50 --duration 60 --think 10 --profile
    .venv/bin/python -m bench.loadtest --ramp --no-write

What it does:

1. creates (drops first) the PostgreSQL database ``--database`` (default ``loadtest9`` on
   ``--server postgres://postgres@127.0.0.1:5432``), migrates it and fills it with
   ``manage.py generatedata``: one street (and one street user) per simulated user,
   ``--committees-per-street`` committees each (20: 1,000 committees for 50 streets), 12.5
   postings and 3 premises a committee, 2006 returns; runs ``collectstatic``;
2. starts gunicorn with the repository's configuration (``jianye/gunicorn.conf.py``: gthread
   workers and threads sized from the cores; ``--workers``/``--threads`` override it) and
   the task worker (``manage.py db_worker``, at nice 10 as in production), DEBUG off;
3. the login storm: ``--browsers`` street users (10) who already have a session keep opening
   their grid and their home page (think ``--browse-think`` s) while the ``--users`` street
   users (50) log in at the same moment (all have the login form; a barrier releases their
   POSTs together): the logins' p95 (goal under 3 s) and the pages' p95 during the storm;
4. the steady state: for ``--duration`` seconds each of the ``--users`` users, quarter after
   quarter from 2007 Q1, opens the street's grid, fills every committee's figures, saves
   them as draft, opens the grid again and submits the whole street, pausing ``--think``
   seconds (±50%, default 10) between pages (a street's round in progress is finished):
   every page's p95 (goal under 500 ms), errors (goal 0);
5. reads the database and checks that every figure of every submitted return is there,
   submitted, as typed (lost writes, goal 0); stops gunicorn and the worker and drops the
   database (``--keep`` keeps it).

``--ramp`` instead logs ``--ramp-max`` users in beforehand (a few at a time, untimed) and
starts them ``--ramp-step`` at a time from ``--users``, each step lasting ``--step-duration``
seconds, until a step's pages' p95 crosses 500 ms: that number of users and the requests per
second per core at that point are printed (the load generator runs on the same cores).

``--profile`` samples the gunicorn workers with py-spy through the storm and the steady
state (or the ramp) and reads every process's CPU time from /proc: the gunicorn workers
(split by py-spy's samples into password hash, ORM, templates, forms, the rest), the
PostgreSQL backends of the test database, the task worker, the load generator, and what
else ran on the machine. libargon2 hashes in native threads py-spy does not see, so the
hash's share is the number of hashes times the CPU of one hash measured at the start.

Every run prints the load average at its start and end and a ``GOAL met: ...`` or
``GOAL MISSED: ...`` line per goal with the ratio to it. Only 127.0.0.1 is ever contacted.
The result is written to docs/benchmarks.md unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path

from bench.machine import print_goal, print_load

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GOAL_P95_MS = 500
GOAL_STORM_P95_MS = 3000
PASSWORD = "Load-test-2006!"
CORES = len(os.sched_getaffinity(0)) or 1
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KINDS = ("login form", "grid", "save", "submit", "confirm", "home")


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


class Inputs(html.parser.HTMLParser):
    """The ``<input>`` elements of a page (name -> value), without disabled ones."""

    def __init__(self):
        super().__init__()
        self.values = {}
        self.checkboxes = set()

    def handle_starttag(self, tag, attrs):
        if tag != "input":
            return
        attrs = dict(attrs)
        name = attrs.get("name")
        if not name or "disabled" in attrs:
            return
        if attrs.get("type") == "checkbox":
            self.checkboxes.add(name)
            return
        self.values[name] = attrs.get("value") or ""


def inputs_of(page: str) -> dict:
    parser = Inputs()
    parser.feed(page)
    return parser.values


class Recorder:
    """Every request: (kind, started at (monotonic), milliseconds, error or None)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.errors = []
        self.rounds = 0

    def add(self, kind, started, elapsed, error):
        with self.lock:
            self.requests.append((kind, started, elapsed))
            if error:
                self.errors.append((started, error))

    def error(self, message):
        with self.lock:
            self.errors.append((time.monotonic(), message))

    def between(self, begin, end, kinds=None):
        """{kind: [ms]} of the requests started in [begin, end)."""
        result = defaultdict(list)
        for kind, started, elapsed in self.requests:
            if begin <= started < end and (kinds is None or kind in kinds):
                result[kind].append(elapsed)
        return result

    def errors_between(self, begin, end):
        return [e for at, e in self.errors if begin <= at < end]


class Browser:
    """One user's session: cookies, the CSRF token, timings of every request."""

    def __init__(self, port, recorder):
        self.port = port
        self.cookies = {}
        self.recorder = recorder

    def request(self, kind, method, path, fields=None):
        body = urllib.parse.urlencode(fields, doseq=True) if fields is not None else None
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started_at = time.monotonic()
        started = time.perf_counter()
        error = None
        status, text, location = 0, "", None
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            status = response.status
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            location = response.getheader("Location")
            connection.close()
        except (OSError, http.client.HTTPException) as exc:
            error = f"{kind}: {exc.__class__.__name__}: {exc}"
        elapsed = (time.perf_counter() - started) * 1000
        if error is None and status >= 400:
            error = f"{kind}: HTTP {status} {path}"
        self.recorder.add(kind, started_at, elapsed, error)
        return status, text, location

    def login_form(self):
        _status, page, _ = self.request("login form", "GET", "/admin/login/?next=/")
        return inputs_of(page)

    def login(self, username, fields, kind="login"):
        fields = {**fields, "username": username, "password": PASSWORD, "next": "/"}
        status, _page, _ = self.request(kind, "POST", "/admin/login/?next=/", fields)
        if status != 302:
            self.recorder.error(f"login refused for {username} (HTTP {status})")
            return False
        return True


def street_username(index):
    return f"street-GS{index:05d}"


def browse(browser, index, stop, think, rng):
    """A user with a session reading: their street's grid and their home page, in turn."""
    path = "/returns/2006/4/"
    while not stop.is_set():
        browser.request("grid", "GET", path)
        stop.wait(think * rng.uniform(0.5, 1.5))
        if stop.is_set():
            break
        browser.request("home", "GET", "/")
        stop.wait(think * rng.uniform(0.5, 1.5))


def work(browser, username, deadline, think, rng, submitted, recorder):
    """Rounds of the street's quarterly returns until ``deadline()`` has passed."""

    def pause():
        if think > 0:
            time.sleep(think * rng.uniform(0.5, 1.5))

    year, quarter = 2007, 1
    pause()
    while time.monotonic() < deadline():
        path = f"/returns/{year}/{quarter}/"
        status, page, _ = browser.request("grid", "GET", path)
        if status != 200:
            return
        fields = inputs_of(page)
        forms = int(fields.get("form-TOTAL_FORMS", "0"))
        typed = {}
        for index in range(forms):
            prefix = f"form-{index}"
            if f"{prefix}-households" not in fields:
                continue  # a row that cannot be edited
            households = rng.randint(900, 3900)
            registered = int(households * rng.uniform(2.6, 3.1))
            values = {
                "households": households,
                "registered_population": registered,
                "resident_population": int(registered * rng.uniform(0.9, 1.2)),
                "volunteers": rng.randint(5, 120),
                "activities": rng.randint(0, 40),
                "one_stop_cases": rng.randint(0, 600),
            }
            for name, value in values.items():
                fields[f"{prefix}-{name}"] = str(value)
            fields[f"{prefix}-comment"] = "负载测试"
            typed[int(fields[f"{prefix}-committee"])] = values
        fields["action"] = "save"
        pause()
        status, _page, location = browser.request("save", "POST", path, fields)
        if status != 302:
            recorder.error(f"save refused for {username} {path} (HTTP {status})")
            return
        status, page, _ = browser.request("grid", "GET", path)
        if "form-TOTAL_FORMS" not in page:
            return
        fields = inputs_of(page)
        fields["action"] = "submit_all"
        pause()
        status, page, location = browser.request("submit", "POST", path, fields)
        if status == 200 and 'name="confirmed"' in page:
            # Submitting asks first (the list of what will be submitted): confirm it.
            fields = inputs_of(page)
            fields["confirmed"] = re.findall(r'name="confirmed" value="(\d+)"', page)
            fields["action"] = "confirm_all"
            status, _page, location = browser.request("confirm", "POST", path, fields)
        status, page, _ = browser.request("grid", "GET", location or path)
        if (
            'name="form-0-households"' in page
            and "disabled" not in page.split('name="form-0-households"')[0][-200:]
        ):
            # The rows are still editable: the submission did not go through.
            recorder.error(f"submit did not take for {username} {path}")
        with recorder.lock:
            for committee, values in typed.items():
                submitted[(committee, year, quarter)] = values
            recorder.rounds += 1
        year, quarter = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
        pause()


# ---------------------------------------------------------------------------------------
# The server, the worker, the database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd, env, quiet=True):
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL if quiet else None)


def database_url(server, name):
    return f"{server.rstrip('/')}/{name}"


def connect(server, dbname="postgres"):
    import psycopg2

    parsed = urllib.parse.urlparse(server)
    connection = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=dbname,
    )
    connection.autocommit = True
    return connection


def psql(server, sql, dbname="postgres"):
    connection = connect(server, dbname)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall() if cursor.description else []
    connection.close()
    return rows


def verify(env, submitted):
    """(lost, checked, extra): every submitted figure must be in the database, submitted."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
    import django

    django.setup()
    from returns.models import QuarterlyReturn, ReturnStatus

    found = {
        (r.committee_id, r.year, r.quarter): r
        for r in QuarterlyReturn.objects.filter(year__gte=2007)
    }
    lost = []
    for key, values in submitted.items():
        item = found.get(key)
        if (
            item is None
            or item.status != ReturnStatus.SUBMITTED
            or any(getattr(item, name) != value for name, value in values.items())
        ):
            lost.append(key)
    extra = [
        k for k, r in found.items() if k not in submitted and r.status == ReturnStatus.SUBMITTED
    ]
    from django.db import connection

    connection.close()
    return lost, len(submitted), extra


def hash_cpu_seconds(samples=5):
    """CPU seconds of one Argon2 verification at Django's parameters, on this machine now."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=2, memory_cost=102400, parallelism=8)
    encoded = hasher.hash(PASSWORD)
    started = time.process_time()
    for _ in range(samples):
        hasher.verify(encoded, PASSWORD)
    return (time.process_time() - started) / samples


# ---------------------------------------------------------------------------------------
# CPU accounting from /proc


def cpu_of(pid) -> float:
    """utime + stime of a process (its exited threads included), in seconds; 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_of(pid) -> list[int]:
    result = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                result.append(int(entry.name))
    return result


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICKS


class CpuMeter:
    """CPU seconds spent between start() and stop() by the gunicorn workers, the PostgreSQL
    backends of the test database, the task worker, this process and the whole machine.

    Backends come and go (a thread's connection is closed after CONN_MAX_AGE): the
    processes are read every second, so that a backend's CPU counts up to its last second."""

    def __init__(self, database, gunicorn_pid, worker_pid):
        self.database = database
        self.gunicorn_pid, self.worker_pid = gunicorn_pid, worker_pid
        self.first, self.last = {}, {}
        self.stopped = threading.Event()

    def backends(self) -> list[int]:
        """PostgreSQL backends of the test database (their command line names it)."""
        result = []
        needle = f" {self.database} ".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"postgres:") and needle in cmdline:
                result.append(int(entry.name))
        return result

    def read(self):
        pids = {("workers", pid) for pid in children_of(self.gunicorn_pid)}
        pids |= {("backends", pid) for pid in self.backends()}
        pids.add(("task worker", self.worker_pid))
        for key in pids:
            seconds = cpu_of(key[1])
            if seconds:
                self.first.setdefault(key, 0.0 if self.started else seconds)
                self.last[key] = seconds

    def loop(self):
        while not self.stopped.wait(1.0):
            self.read()

    def start(self):
        self.started = False
        self.read()
        self.started = True
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.generator = usage.ru_utime + usage.ru_stime
        self.machine = machine_busy()
        self.wall = time.monotonic()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopped.set()
        self.thread.join()
        self.read()
        usage = resource.getrusage(resource.RUSAGE_SELF)

        def delta(group):
            return sum(
                self.last[key] - self.first.get(key, 0.0) for key in self.last if key[0] == group
            )

        result = {
            "gunicorn workers": delta("workers"),
            "PostgreSQL (test database's backends)": delta("backends"),
            "task worker (db_worker)": delta("task worker"),
            "load generator": usage.ru_utime + usage.ru_stime - self.generator,
        }
        machine = machine_busy() - self.machine
        result["everything else on the machine"] = max(0.0, machine - sum(result.values()))
        return result, machine, time.monotonic() - self.wall


class Profiler:
    """py-spy sampling every gunicorn worker (``--subprocesses``) until stopped."""

    def __init__(self, pid, output, subprocesses=True):
        self.output = output
        spy = Path(PYTHON).parent / "py-spy"
        self.process = subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(pid),
                *(["--subprocesses"] if subprocesses else []),
                "--nonblocking",
                "--rate",
                "50",
                "--format",
                "raw",
                "--output",
                str(output),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


# Walking out from the innermost frame, the first that matches names the sample's kind.
CATEGORIES = (
    ("password hash", ("hashers.py", "argon2", "pbkdf2", "hashlib")),
    ("ORM and database driver", ("django/db/", "psycopg2")),
    ("templates", ("django/template/", "templatetags")),
    ("forms and formsets", ("django/forms/",)),
    ("history (simple_history)", ("simple_history/",)),
    ("sessions, auth, middleware", ("django/contrib/sessions", "django/contrib/auth",
                                    "middleware", "axes/", "csp/")),
)


def raw_samples(path):
    """(frames, samples) of each stack of a py-spy raw (collapsed stacks) file; nothing if
    the file is missing."""
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            yield stack.split(";"), int(count)


def summarise_profile(path):
    """{category: samples} of a py-spy raw (collapsed stacks) file."""
    counts = defaultdict(int)
    for frames, count in raw_samples(path):
        kind = "the rest (views, gunicorn, Python)"
        for frame in reversed(frames):
            found = next((name for name, keys in CATEGORIES if any(k in frame for k in keys)), None)
            if found:
                kind = found
                break
        counts[kind] += count
    return counts


def summarise_worker(path):
    """{what the task worker computed: samples}: the summary recomputed (the function
    audit.data_version.refresh_all called), or what else it did."""
    counts = defaultdict(int)
    for frames, count in raw_samples(path):
        kind = "the rest (waiting for tasks, the queue)"
        for position, frame in enumerate(frames):
            if frame.startswith("refresh_all ") and position + 1 < len(frames):
                kind = "recomputing " + frames[position + 1].split(" (")[0]
                nxt = frames[position + 1]
                if "(" in nxt:
                    kind += " (" + nxt.split(" (", 1)[1].split(":")[0] + ")"
                break
            if "import" in frame and "tasks.py" in frame:
                kind = "imports"
                break
        counts[kind] += count
    return counts


def profile_lines(cpu, machine, wall, samples, hashes, per_hash):
    """Where the CPU went, as Markdown lines."""
    workers = cpu["gunicorn workers"]
    hash_seconds = min(workers, hashes * per_hash)
    python_seconds = max(0.0, workers - hash_seconds)
    sampled = sum(n for k, n in samples.items() if k != "password hash")
    lines = [
        f"CPU over {wall:.0f} s of wall time on {CORES} cores ({CORES * wall:.0f} CPU-seconds "
        f"available, {machine:.0f} used by the whole machine, "
        f"{100 * machine / (CORES * wall):.0f}%):",
        "",
        "| where | CPU s | share of the machine's busy CPU |",
        "| --- | ---: | ---: |",
    ]

    def row(name, seconds):
        share = 100 * seconds / machine if machine else 0
        lines.append(f"| {name} | {seconds:,.1f} | {share:.0f}% |")

    row(f"gunicorn workers: password hash ({hashes} × {per_hash:.2f} s measured)", hash_seconds)
    for name, count in sorted(samples.items(), key=lambda item: -item[1]):
        if name == "password hash":
            continue
        row(f"gunicorn workers: {name}", python_seconds * count / sampled if sampled else 0)
    for name in (
        "PostgreSQL (test database's backends)",
        "task worker (db_worker)",
        "load generator",
        "everything else on the machine",
    ):
        row(name, cpu[name])
    return lines


# ---------------------------------------------------------------------------------------
# The phases


def start_browsers(port, recorder, indexes, think, stop):
    """Users with a session (logged in one after another, untimed) who keep reading."""
    threads = []
    for index in indexes:
        browser = Browser(port, recorder)
        fields = browser.login_form()
        browser.login(street_username(index), fields, kind="login (before)")
        thread = threading.Thread(
            target=browse, args=(browser, index, stop, think, random.Random(1000 + index))
        )
        thread.start()
        threads.append(thread)
    return threads


def storm(port, recorder, indexes):
    """``len(indexes)`` users log in at the same moment; returns their browsers and the
    storm's (begin, end)."""
    browsers = {}
    barrier = threading.Barrier(len(indexes))
    moments = {}

    def one(index):
        browser = Browser(port, recorder)
        fields = browser.login_form()
        barrier.wait()
        moments.setdefault("begin", time.monotonic())
        if browser.login(street_username(index), fields):
            browsers[index] = browser

    threads = [threading.Thread(target=one, args=(i,)) for i in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return browsers, moments["begin"], time.monotonic()


def quiet_logins(port, recorder, indexes, parallel=2):
    """Log users in a few at a time (untimed: the ramp measures pages, not logins)."""
    browsers = {}
    pending = list(indexes)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                index = pending.pop(0)
            browser = Browser(port, recorder)
            fields = browser.login_form()
            if browser.login(street_username(index), fields, kind="login (before)"):
                browsers[index] = browser

    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return browsers


def table_of(times, kinds):
    table = [
        "| request | count | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    pages = []
    for kind in kinds:
        values = times.get(kind, [])
        if values:
            table.append(
                f"| {kind} | {len(values):,} | {statistics.median(values):,.0f} "
                f"| {percentile(values, 0.95):,.0f} | {max(values):,.0f} |"
            )
            if kind in PAGE_KINDS:
                pages.extend(values)
    if pages:
        table.append(
            f"| every page | {len(pages):,} | {statistics.median(pages):,.0f} "
            f"| {percentile(pages, 0.95):,.0f} | {max(pages):,.0f} |"
        )
    return table, pages


def worst_page(times):
    """(kind, p95) of the page kind with the highest p95."""
    worst = ("none", 0.0)
    for kind in PAGE_KINDS:
        values = times.get(kind, [])
        if values and percentile(values, 0.95) > worst[1]:
            worst = (kind, percentile(values, 0.95))
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="loadtest9")
    parser.add_argument("--users", type=int, default=50, help="street users (one per street)")
    parser.add_argument("--browsers", type=int, default=10,
                        help="users with a session reading pages during the storm")
    parser.add_argument("--browse-think", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=60, help="seconds of steady state")
    parser.add_argument("--think", type=float, default=10.0, help="seconds between pages (±50%%)")
    parser.add_argument("--workers", type=int, help="default: jianye/gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: jianye/gunicorn.conf.py")
    parser.add_argument("--committees-per-street", type=int, default=20)
    parser.add_argument("--ramp", action="store_true",
                        help="raise the users until the pages' p95 crosses 500 ms")
    parser.add_argument("--ramp-step", type=int, default=25)
    parser.add_argument("--ramp-max", type=int, default=200)
    parser.add_argument("--step-duration", type=float, default=40)
    parser.add_argument("--hash-nice", type=int,
                        help="PASSWORD_HASH_NICE for the server (default the settings' 10; 0: "
                        "hash in the request's thread at the pages' priority)")
    parser.add_argument("--worker-nice", type=int, default=10,
                        help="the task worker's nice value (default 10, as in production)")
    parser.add_argument("--profile", action="store_true", help="py-spy + /proc CPU accounting")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    load_start = print_load("start")
    per_hash = hash_cpu_seconds()
    print(f"one Argon2 verification (Django's parameters) costs {per_hash:.2f} s of CPU here")
    streets = (args.ramp_max if args.ramp else args.users) + args.browsers
    committees = args.committees_per_street * streets
    url = database_url(args.server, args.database)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "loadtest-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "ERROR",
        # A cache of this run's own (the file cache every process of the machine shares, as
        # in production on one machine), so that no figure of an earlier run is read.
        "CACHE_URL": f"file://{ROOT / 'var' / f'loadtest-cache-{os.getpid()}'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    psql(args.server, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    psql(args.server, f'CREATE DATABASE "{args.database}"')
    gunicorn = worker = profiler = worker_profiler = None
    try:
        started = time.perf_counter()
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run(
            [
                PYTHON, "manage.py", "generatedata",
                "--districts", str(max(1, streets // 10)),
                "--streets", str(streets),
                "--committees", str(committees),
                "--postings", str(committees * 25 // 2),
                "--premises", str(committees * 3),
                "--password", PASSWORD,
            ],
            env,
        )
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        print(f"database {args.database} ready in {time.perf_counter() - started:.1f} s: "
              f"{streets} streets, {committees:,} committees")

        port = free_port()
        server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        if args.workers:
            server_env["GUNICORN_WORKERS"] = str(args.workers)
        if args.threads:
            server_env["GUNICORN_THREADS"] = str(args.threads)
        if args.hash_nice is not None:
            server_env["PASSWORD_HASH_NICE"] = str(args.hash_nice)
        # The server's log (the security log's line per login among it) goes to a file.
        server_log = ROOT / "var" / f"loadtest-gunicorn-{os.getpid()}.log"
        server_log.parent.mkdir(exist_ok=True)
        gunicorn = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "-c", "jianye/gunicorn.conf.py",
             "jianye.wsgi:application", "--log-level", "warning"],
            cwd=ROOT, env=server_env, stdout=subprocess.DEVNULL,
            stderr=server_log.open("w"),
        )
        worker = subprocess.Popen(
            ["nice", "-n", str(args.worker_nice), PYTHON, "manage.py", "db_worker",
             "--no-reload", "-v", "0"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        )
        for _attempt in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)
        workers = len(children_of(gunicorn.pid))
        threads = int(server_env.get("GUNICORN_THREADS", 32))
        server_line = (
            f"gunicorn (jianye/gunicorn.conf.py) {workers} gthread workers x {threads} threads, "
            f"the task worker (1 db_worker at nice {args.worker_nice}), the load generator: "
            f"all on the same "
            f"{CORES} cores; password hashes at nice "
            f"{server_env.get('PASSWORD_HASH_NICE', '10')}"
        )
        print(server_line)
        meter = CpuMeter(args.database, gunicorn.pid, worker.pid)
        recorder = Recorder()
        submitted = {}
        profile_path = ROOT / "var" / f"loadtest-profile-{os.getpid()}.txt"
        worker_profile_path = ROOT / "var" / f"loadtest-profile-worker-{os.getpid()}.txt"
        worker_profiler = None
        if args.profile:
            profile_path.parent.mkdir(exist_ok=True)
            profiler = Profiler(gunicorn.pid, profile_path)
            worker_profiler = Profiler(worker.pid, worker_profile_path, subprocesses=False)
            time.sleep(2)
        meter.start()
        goals = []
        if args.ramp:
            lines, ok = ramp(args, port, recorder, submitted, goals)
        else:
            lines, ok = storm_and_steady(args, port, recorder, submitted, goals, per_hash)
        cpu, machine, wall = meter.stop()
        if profiler:
            profiler.stop()
            profiler = None
            hashes = sum(
                1 for kind, _at, _ms in recorder.requests if kind in ("login", "login (before)")
            )
            samples = summarise_profile(profile_path)
            profile = profile_lines(cpu, machine, wall, samples, hashes, per_hash)
            worker_profiler.stop()
            worker_profiler = None
            jobs = summarise_worker(worker_profile_path)
            total = sum(jobs.values())
            if total:
                profile += ["", "The task worker's CPU, by what it did (py-spy samples):", ""]
                for name, count in sorted(jobs.items(), key=lambda item: -item[1])[:8]:
                    if count < total / 100:
                        continue  # under 1%
                    seconds = cpu["task worker (db_worker)"] * count / total
                    profile.append(f"- {name}: {seconds:,.1f} s ({100 * count / total:.0f}%)")
            print("\n".join(profile))
            lines += ["", "Where the CPU went (`--profile`: py-spy on the workers, /proc):", "",
                      *profile]

        lost, checked, extra = verify(env, submitted)
        lost_line = (
            f"submitted returns checked in the database: {checked:,}; lost or wrong: "
            f"{len(lost)}; submitted returns nobody submitted: {len(extra)}"
        )
        print(lost_line)
        lines += ["", lost_line]
        errors = [e for _, e in recorder.errors]
        for error in errors[:10]:
            print("error:", error)
        if errors:
            print(f"the server's log: {server_log}")
        goals.append(print_goal(
            "0 errors", not errors, f"{len(errors)} errors in {len(recorder.requests):,} requests"
        ))
        goals.append(print_goal(
            "0 lost writes", not lost and not extra and checked > 0,
            f"{len(lost)} lost of {checked:,} submitted returns, {len(extra)} extra",
        ))
        load_end = print_load("end")
        ok = ok and not errors and not lost and checked > 0
        if not args.no_write:
            from bench.machine import today, write_section

            machine_text = machine_line(url)
            text = "\n".join(
                [
                    f"### Results ({today()}{', ramp' if args.ramp else ''})",
                    "",
                    f"Data: `generatedata` with {streets} streets (one user each), "
                    f"{committees:,} committees, {committees * 25 // 2:,} postings. "
                    f"{server_line}.",
                    f"Machine: {machine_text}; {load_start}; {load_end}.",
                    "",
                    *lines,
                    "",
                    "```",
                    *goals,
                    "```",
                ]
            )
            write_section("bench.loadtest.ramp" if args.ramp else "bench.loadtest", text)
            print("written to docs/benchmarks.md")
        return 0 if ok else 1
    finally:
        for spy in (profiler, worker_profiler):
            if spy is not None:
                spy.stop()
        for process in (gunicorn, worker):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(ROOT / "var" / f"loadtest-cache-{os.getpid()}", ignore_errors=True)
        if not args.keep:
            time.sleep(1)
            psql(args.server, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def storm_and_steady(args, port, recorder, submitted, goals, per_hash):
    """The login storm under readers, then the steady state; (Markdown lines, goals met)."""
    stop = threading.Event()
    readers = list(range(args.users, args.users + args.browsers))
    reader_threads = start_browsers(port, recorder, readers, args.browse_think, stop)
    time.sleep(max(3.0, 2 * args.browse_think))  # the readers' pages before the storm
    calm_begin = time.monotonic() - max(3.0, 2 * args.browse_think)
    browsers, begin, end = storm(port, recorder, range(args.users))
    stop.set()
    for thread in reader_threads:
        thread.join()
    before = recorder.between(calm_begin, begin, ("grid", "home"))
    during = recorder.between(begin, end, ("grid", "home"))
    logins = recorder.between(begin, end, ("login",))["login"]
    storm_p95 = percentile(logins, 0.95)
    storm_table, _ = table_of({"login": logins, **{f"{k} (reader, before)": v
                                                   for k, v in before.items()},
                               **{f"{k} (reader, during)": v for k, v in during.items()}},
                              ["login", "grid (reader, before)", "home (reader, before)",
                               "grid (reader, during)", "home (reader, during)"])
    during_pages = [t for values in during.values() for t in values]
    during_p95 = percentile(during_pages, 0.95)
    storm_line = (
        f"Login storm: {len(logins)} users logged in at the same moment while {args.browsers} "
        f"users with a session read their grid and home page (think {args.browse_think} s): "
        f"all logged in in {end - begin:.1f} s; logins p50 "
        f"{statistics.median(logins):,.0f} ms, p95 {storm_p95:,.0f} ms; the readers' pages "
        f"during the storm p95 {during_p95:,.0f} ms ({len(during_pages)} requests). "
        f"The hashes alone need {len(logins)} x {per_hash:.2f} s = "
        f"{len(logins) * per_hash:.1f} s of CPU, {len(logins) * per_hash / CORES:.1f} s on "
        f"{CORES} cores with nothing else running: the p95 cannot be under about "
        f"{0.95 * len(logins) * per_hash / CORES:.1f} s here."
    )
    print(storm_line)
    print("\n".join(storm_table))

    # The steady state.
    window = {"deadline": time.monotonic() + args.duration}
    steady_begin = time.monotonic()
    threads = []
    for index, browser in browsers.items():
        thread = threading.Thread(
            target=work,
            args=(browser, street_username(index), lambda: window["deadline"], args.think,
                  random.Random(index), submitted, recorder),
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    steady_end = time.monotonic()
    elapsed = steady_end - steady_begin
    times = recorder.between(steady_begin, steady_end)
    steady_table, pages = table_of(times, ["grid", "save", "submit", "confirm"])
    kind, worst = worst_page(times)
    steady_line = (
        f"Steady state: {len(browsers)} users for {elapsed:.0f} s with a think time of "
        f"{args.think} s ±50% between pages: {len(pages):,} requests, "
        f"{len(pages) / elapsed:.1f} requests/s ({len(pages) / elapsed / CORES:.1f} a core), "
        f"{recorder.rounds:,} street rounds (save + submit)."
    )
    print(steady_line)
    print("\n".join(steady_table))
    goals.append(print_goal(
        f"login storm p95 under {GOAL_STORM_P95_MS / 1000:.0f} s",
        storm_p95 < GOAL_STORM_P95_MS,
        f"{len(logins)} at once: p95 {storm_p95:,.0f} ms, "
        f"{storm_p95 / GOAL_STORM_P95_MS:.2f}x the goal (the hashes' own floor on "
        f"{CORES} cores: {0.95 * len(logins) * per_hash / CORES * 1000:,.0f} ms)",
    ))
    goals.append(print_goal(
        f"every page's p95 under {GOAL_P95_MS} ms with {len(browsers)} users",
        worst < GOAL_P95_MS,
        f"worst {kind} p95 {worst:,.0f} ms, {worst / GOAL_P95_MS:.2f}x the goal",
    ))
    goals.append(print_goal(
        f"readers' pages' p95 under {GOAL_P95_MS} ms during the login storm",
        during_p95 < GOAL_P95_MS,
        f"p95 {during_p95:,.0f} ms, {during_p95 / GOAL_P95_MS:.2f}x the goal",
    ))
    ok = storm_p95 < GOAL_STORM_P95_MS and worst < GOAL_P95_MS
    lines = [storm_line, "", *storm_table, "", steady_line, "", *steady_table]
    return lines, ok


def ramp(args, port, recorder, submitted, goals):
    """Users started ``--ramp-step`` at a time until the pages' p95 crosses 500 ms."""
    indexes = list(range(args.ramp_max))
    started = time.perf_counter()
    browsers = quiet_logins(port, recorder, indexes)
    print(f"{len(browsers)} users logged in (a few at a time) in "
          f"{time.perf_counter() - started:.0f} s")
    window = {"deadline": float("inf")}
    threads = []
    running = 0
    rows = [
        "| users | requests | requests/s | per core | p50 ms | p95 ms | worst page p95 ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    crossed = None
    last_under = None
    worst_crossed = None  # the first step where one kind of page's p95 crossed 500 ms
    target = args.users
    while target <= args.ramp_max:
        for index in indexes[running:target]:
            thread = threading.Thread(
                target=work,
                args=(browsers[index], street_username(index), lambda: window["deadline"],
                      args.think, random.Random(index), submitted, recorder),
            )
            thread.start()
            threads.append(thread)
        running = target
        # Let the new users' first pause pass (they start at a random point of their think
        # time), then measure the step.
        time.sleep(args.think)
        begin = time.monotonic()
        time.sleep(args.step_duration)
        end = time.monotonic()
        times = recorder.between(begin, end)
        pages = [t for kind in PAGE_KINDS for t in times.get(kind, [])]
        p95 = percentile(pages, 0.95)
        kind, worst = worst_page(times)
        rps = len(pages) / (end - begin)
        row = (running, len(pages), rps, rps / CORES, statistics.median(pages) if pages else 0,
               p95, worst)
        rows.append(
            f"| {running} | {len(pages):,} | {rps:.1f} | {rps / CORES:.1f} | {row[4]:,.0f} "
            f"| {p95:,.0f} | {worst:,.0f} ({kind}) |"
        )
        print(rows[-1], flush=True)
        if worst >= GOAL_P95_MS and worst_crossed is None:
            worst_crossed = row
        if p95 >= GOAL_P95_MS:
            crossed = row
            break
        last_under = row
        target += args.ramp_step
    window["deadline"] = 0
    for thread in threads:
        thread.join()
    if crossed:
        verdict = (
            f"The pages' p95 crossed {GOAL_P95_MS} ms at {crossed[0]} users: "
            f"{crossed[2]:.1f} requests/s, {crossed[3]:.1f} requests/s per core "
            f"(p95 {crossed[5]:,.0f} ms)"
        )
        if last_under:
            verdict += (
                f"; the last step under it: {last_under[0]} users, {last_under[2]:.1f} "
                f"requests/s, {last_under[3]:.1f} per core (p95 {last_under[5]:,.0f} ms)"
            )
    else:
        verdict = f"The pages' p95 stayed under {GOAL_P95_MS} ms up to {running} users"
    if worst_crossed:
        verdict += (
            f". The dearest page's p95 alone crossed {GOAL_P95_MS} ms at {worst_crossed[0]} "
            f"users ({worst_crossed[2]:.1f} requests/s, {worst_crossed[3]:.1f} per core; "
            f"{worst_crossed[6]:,.0f} ms)"
        )
    verdict += (
        f". Think time {args.think} s ±50%, steps of {args.step_duration:.0f} s; the load "
        f"generator shares the {CORES} cores with gunicorn, PostgreSQL and the task worker."
    )
    print(verdict)
    users_at = last_under[0] if last_under else 0
    goals.append(print_goal(
        f"pages' p95 under {GOAL_P95_MS} ms at 50 users (ramp)",
        users_at >= 50,
        f"held up to {users_at} users, crossed at {crossed[0] if crossed else '-'}; "
        f"{users_at / 50:.2f}x the 50 users",
    ))
    return ["Ramp:", "", *rows, "", verdict], True


def machine_line(url):
    import platform

    import psycopg2

    parsed = urllib.parse.urlparse(url)
    connection = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        dbname=parsed.path.lstrip("/"),
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    connection.close()
    ram = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)
    return (
        f"{os.cpu_count()} CPUs, {int(ram) / 1024 / 1024:.0f} GB RAM, PostgreSQL {version}, "
        f"Python {platform.python_version()}"
    )


if __name__ == "__main__":
    sys.exit(main())
