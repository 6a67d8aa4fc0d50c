"""What machine a benchmark ran on, and writing a section of docs/benchmarks.md."""

import datetime
import os
import platform
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def describe(connection=None) -> str:
    ram = "?"
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read()).group(1))
            ram = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, AttributeError):
        pass
    database = ""
    if connection is not None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        else:
            database = connection.vendor
    load = load_average()
    import django

    return (
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), {ram} RAM, "
        f"{database}, Python {platform.python_version()}, Django {django.get_version()}, "
        f"load average {load} at the end of the run"
    )


def today() -> str:
    return datetime.datetime.now(tz=datetime.UTC).date().isoformat()


def write_section(marker: str, text: str, doc: Path = DOC) -> None:
    """Replace the text between ``<!-- marker:start -->`` and ``<!-- marker:end -->`` in
    docs/benchmarks.md (appended at the end the first time)."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    current = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    block = f"{start}\n{text.rstrip()}\n{end}"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        _old, after = rest.split(end, 1)
        current = before + block + after
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    doc.write_text(current, encoding="utf-8")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, ``"1.2/0.9/0.8"``."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def print_load(when: str) -> str:
    """Print (and return) the load average with a word of when (``"start"``, ``"end"``):
    every benchmark prints it at its start and at its end, so a reader can tell a figure
    taken on a busy machine."""
    line = f"load average at {when}: {load_average()} ({os.cpu_count()} CPUs)"
    print(line, flush=True)
    return line


def print_goal(name: str, met: bool, detail: str) -> str:
    """Print one goal's verdict on a line of its own, ``GOAL met: <name>: <detail>`` or
    ``GOAL MISSED: ...``; ``make bench-all`` collects these lines into its summary."""
    line = f"GOAL {'met' if met else 'MISSED'}: {name}: {detail}"
    print(line, flush=True)
    return line
