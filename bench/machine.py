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
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
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
