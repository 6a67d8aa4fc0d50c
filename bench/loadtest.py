"""Load test: gunicorn on PostgreSQL, street users entering and submitting their quarterly
returns at the same time, then a check that no submitted figure was lost.

    .venv/bin/python -m bench.loadtest            # or: make loadtest
    .venv/bin/python -m bench.loadtest --users 50 --duration 60 --think 3

What it does:

1. creates (drops first) the PostgreSQL database ``--database`` (default ``loadtest9`` on
   ``--server postgres://postgres@127.0.0.1:5432``), migrates it and fills it with
   ``manage.py generatedata`` (default: 5 districts, 50 streets, 1,000 committees, 12,500
   postings, 3,000 premises, 2006 returns), and runs ``collectstatic`` (production settings);
2. starts gunicorn on 127.0.0.1 on a free port (``--workers``, ``--threads``), DEBUG off;
3. runs ``--users`` simulated street users (one per street; threads, stdlib ``http.client``,
   cookies and the CSRF token handled as a browser does): each logs in through the login
   form, then, quarter after quarter from 2007 Q1, opens the street's grid, fills every
   committee's figures, saves them as draft, opens the grid again and submits the whole
   street, pausing ``--think`` seconds (±50%, default 3) between pages; all users log in
   together first (timed as "login"), then the ``--duration`` seconds window starts (a
   street's round in progress is finished);
4. prints throughput, p50/p95/max per request kind and errors; then reads the database and
   checks that every figure of every submitted return is there, submitted, as typed (lost
   writes); then stops gunicorn and drops the database (``--keep`` keeps it).

Only 127.0.0.1 is ever contacted. The result is written to docs/benchmarks.md unless
``--no-write``.
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import os
import random
import re
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

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FIGURES = (
    "households",
    "registered_population",
    "resident_population",
    "volunteers",
    "activities",
    "one_stop_cases",
)
GOAL_P95_MS = 500


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


class Browser:
    """One user's session: cookies, the CSRF token, timings of every request."""

    def __init__(self, port, stats, lock):
        self.port = port
        self.cookies = {}
        self.stats = stats
        self.lock = lock

    def request(self, kind, method, path, fields=None):
        body = urllib.parse.urlencode(fields, doseq=True) if fields is not None else None
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        error = None
        status, text, location = 0, "", None
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
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
        with self.lock:
            self.stats["times"][kind].append(elapsed)
            if error:
                self.stats["errors"].append(error)
        return status, text, location


def user_session(browser, username, password, window, barrier, think, rng, submitted, stats, lock):
    def pause():
        if think > 0:
            time.sleep(think * rng.uniform(0.5, 1.5))

    status, page, _ = browser.request("login form", "GET", "/admin/login/?next=/")
    fields = inputs_of(page)
    fields.update(username=username, password=password, next="/")
    status, _page, location = browser.request("login", "POST", "/admin/login/?next=/", fields)
    barrier.wait()  # everybody has logged in: the timed window starts
    if status != 302:
        with lock:
            stats["errors"].append(f"login refused for {username} (HTTP {status})")
        return
    deadline = window["deadline"]
    year, quarter = 2007, 1
    while time.monotonic() < deadline:
        pause()
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
            with lock:
                stats["errors"].append(f"save refused for {username} {path} (HTTP {status})")
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
            with lock:
                stats["errors"].append(f"submit did not take for {username} {path}")
        with lock:
            for committee, values in typed.items():
                submitted[(committee, year, quarter)] = values
            stats["rounds"] += 1
        year, quarter = (year, quarter + 1) if quarter < 4 else (year + 1, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd, env, quiet=True):
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL if quiet else None)


def database_url(server, name):
    return f"{server.rstrip('/')}/{name}"


def psql(server, sql):
    import psycopg2

    parsed = urllib.parse.urlparse(server)
    connection = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def verify(env, submitted):
    """(lost, checked): every submitted figure must be in the database, submitted."""
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="loadtest9")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", type=float, default=3.0, help="seconds between pages (±50%%)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--committees", type=int, default=1000)
    parser.add_argument("--postings", type=int, default=12500)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    password = "Load-test-2006!"
    streets = args.users
    url = database_url(args.server, args.database)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "loadtest-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    psql(args.server, f'DROP DATABASE IF EXISTS "{args.database}"')
    psql(args.server, f'CREATE DATABASE "{args.database}"')
    gunicorn = None
    try:
        started = time.perf_counter()
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run(
            [
                PYTHON,
                "manage.py",
                "generatedata",
                "--districts",
                str(max(1, streets // 10)),
                "--streets",
                str(streets),
                "--committees",
                str(max(args.committees, streets)),
                "--postings",
                str(args.postings),
                "--premises",
                str(args.committees * 3),
                "--password",
                password,
            ],
            env,
        )
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        print(f"database {args.database} ready in {time.perf_counter() - started:.1f} s")

        port = free_port()
        gunicorn = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "jianye.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--timeout",
                "120",
                "--log-level",
                "warning",
                "--preload",
            ],
            cwd=ROOT,
            env=env,
        )
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        print(f"gunicorn on 127.0.0.1:{port}: {args.workers} workers x {args.threads} threads")

        stats = {"times": defaultdict(list), "errors": [], "rounds": 0}
        submitted = {}
        lock = threading.Lock()
        window = {}

        def start_window():
            window["deadline"] = time.monotonic() + args.duration
            window["began"] = time.perf_counter()
            print(f"{args.users} users logged in in {window['began'] - login_began:.1f} s")

        barrier = threading.Barrier(args.users, action=start_window)
        threads = []
        login_began = time.perf_counter()
        for index in range(args.users):
            browser = Browser(port, stats, lock)
            username = f"street-GS{index:05d}"
            thread = threading.Thread(
                target=user_session,
                args=(
                    browser,
                    username,
                    password,
                    window,
                    barrier,
                    args.think,
                    random.Random(index),
                    submitted,
                    stats,
                    lock,
                ),
            )
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - window["began"]
        logins = window["began"] - login_began

        lost, checked, extra = verify(env, submitted)
        times = stats["times"]
        everything = [t for v in times.values() for t in v]
        in_window = sum(len(v) for k, v in times.items() if not k.startswith("login"))
        lines = []
        lines.append(
            f"{args.users} users logged in together in {logins:.1f} s; then {elapsed:.0f} s "
            f"of work with a think time of {args.think} s ±50% between pages: "
            f"{in_window:,} requests, {in_window / elapsed:.1f} requests/s, "
            f"{stats['rounds']:,} street rounds (save + submit), "
            f"{len(stats['errors'])} errors"
        )
        table = [
            "| request | count | p50 ms | p95 ms | max ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for kind in ("login form", "login", "grid", "save", "submit", "confirm"):
            values = times.get(kind, [])
            if values:
                table.append(
                    f"| {kind} | {len(values):,} | {statistics.median(values):,.0f} "
                    f"| {percentile(values, 0.95):,.0f} | {max(values):,.0f} |"
                )
        without_login = [t for k, v in times.items() if not k.startswith("login") for t in v]
        table.append(
            f"| all but login | {len(without_login):,} | {statistics.median(without_login):,.0f} "
            f"| {percentile(without_login, 0.95):,.0f} | {max(without_login):,.0f} |"
        )
        table.append(
            f"| all | {len(everything):,} | {statistics.median(everything):,.0f} "
            f"| {percentile(everything, 0.95):,.0f} | {max(everything):,.0f} |"
        )
        lines.append(
            f"submitted returns checked in the database: {checked:,}; lost or wrong: "
            f"{len(lost)}; submitted returns nobody submitted: {len(extra)}"
        )
        print("\n".join(lines[:1]))
        print("\n".join(table))
        print("\n".join(lines[1:]))
        for error in stats["errors"][:10]:
            print("error:", error)

        if not args.no_write:
            from bench.machine import today, write_section

            machine = machine_line(url)
            text = "\n".join(
                [
                    f"### Results ({today()})",
                    "",
                    f"Data: `generatedata` with {streets} streets, {max(args.committees, streets):,} "
                    f"committees, {args.postings:,} postings. gunicorn {args.workers} sync workers "
                    f"x {args.threads} threads on 127.0.0.1, the load generator on the same machine.",
                    f"Machine: {machine}.",
                    "",
                    *lines[:1],
                    "",
                    *table,
                    "",
                    *lines[1:],
                ]
            )
            write_section("bench.loadtest", text)
            print("written to docs/benchmarks.md")
        ok = not stats["errors"] and not lost and checked > 0
        return 0 if ok else 1
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        if not args.keep:
            time.sleep(1)
            psql(args.server, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


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
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, {int(ram) / 1024 / 1024:.0f} GB RAM, PostgreSQL {version}, "
        f"Python {platform.python_version()}, load average {load} at the end"
    )


if __name__ == "__main__":
    sys.exit(main())
