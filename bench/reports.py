"""Benchmark: every report's full workbook for the district clerk, at province size.

    .venv/bin/python -m bench.reports --committees 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.reports
    .venv/bin/python -m bench.reports --committees 2000 --profile staffing

In a throwaway test database (like :mod:`bench.budget`) it builds a province with
:mod:`scale.province` (``--committees`` committees in streets of 20, districts of 10 streets,
12 postings and 3 premises per committee, the 2006 quarterly returns) and, for every report
of the reports registry, times what a download costs the clerk (``gclerk``, the whole
province): the report made for the clerk (year 2006, Q4 for the quarterly table) and its
workbook rendered, from the report's rows to the bytes.

- ours: :func:`reports.rendering.render_xlsx` (the rows written straight into the sheet XML
  by the one fast sheet writer, :func:`scoping.spreadsheets.write_sheet`, styles made once
  per row kind and column);
- baseline: :func:`render_xlsx_cell_by_cell` below, the renderer before issue 17 (an
  openpyxl cell per value, each given its font, border, alignment and number format).

The two are interleaved (ours, baseline, ours, baseline…, ``--rounds`` each, medians), so
that the load of a shared machine falls on both alike; the load average is printed at the
start and the end. Per report: seconds, the ratio and the goal (under 2 s) met or missed.
``--profile NAME`` prints the top of a cProfile of ours for that report instead.
"""

import argparse
import os
import secrets
import statistics
import sys
import time

GOAL_SECONDS = 2.0


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(32))  # DEBUG off
    import django

    django.setup()


# --- the baseline: the renderer as it was before issue 17, cell by cell ----------------------


def render_xlsx_cell_by_cell(report) -> bytes:
    """``reports.rendering.render_xlsx`` before issue 17 (kept here only to be timed)."""
    import io

    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from reports.comparison import with_last_year
    from reports.registry import ColumnKind, RowLevel
    from reports.rendering import (
        BORDER,
        HEADER_ROW,
        NUMBER_FORMATS,
        TOTAL_FILL,
        cell_value,
        display_value,
        foot_line,
        head_lines,
        print_setup,
        text_width,
    )
    from scoping.spreadsheets import safe_text, style_header

    report = with_last_year(report)
    columns = report.columns()
    rows = report.rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = safe_text(str(report.verbose_name)[:31])
    width = len(columns) + 1
    nested = any(row.level == RowLevel.COMMITTEE for row in rows)

    title = sheet.cell(row=1, column=1, value=safe_text(report.title()))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    title.font = Font(size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    for offset, line in enumerate(head_lines(report), start=2):
        cell = sheet.cell(row=offset, column=1, value=safe_text(line))
        sheet.merge_cells(start_row=offset, start_column=1, end_row=offset, end_column=width)
        cell.alignment = Alignment(horizontal="left", vertical="center")

    widths = [text_width(_("Unit")) + 2] + [0] * len(columns)
    headers = [_("Unit")] + [str(c.label) for c in columns]
    for index, label in enumerate(headers, start=1):
        cell = style_header(sheet.cell(row=HEADER_ROW, column=index, value=safe_text(label)))
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    sheet.row_dimensions[HEADER_ROW].height = 45

    current = HEADER_ROW
    for row in rows:
        current += 1
        bold = row.level == RowLevel.TOTAL or (nested and row.level == RowLevel.STREET)
        fill = TOTAL_FILL if row.level == RowLevel.TOTAL else None
        first = sheet.cell(row=current, column=1, value=safe_text(row.label))
        first.border = BORDER
        first.font = Font(bold=bold)
        first.alignment = Alignment(
            horizontal="center" if row.level == RowLevel.TOTAL else "left",
            indent=2 if row.level == RowLevel.COMMITTEE else 0,
            vertical="center",
        )
        widths[0] = max(
            widths[0], text_width(row.label) + (4 if row.level == RowLevel.COMMITTEE else 2)
        )
        for index, column in enumerate(columns, start=2):
            value = row.values.get(column.key)
            cell = sheet.cell(row=current, column=index, value=cell_value(value, column.kind))
            cell.number_format = NUMBER_FORMATS.get(column.kind, "@")
            cell.border = BORDER
            cell.font = Font(bold=bold)
            if column.kind == ColumnKind.TEXT:
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            else:
                cell.alignment = Alignment(horizontal="right", vertical="center")
            widths[index - 1] = max(
                widths[index - 1], text_width(display_value(value, column.kind)) + 4
            )
        if fill is not None:
            for index in range(1, width + 1):
                sheet.cell(row=current, column=index).fill = fill

    foot = current + 2
    for note in report.notes():
        cell = sheet.cell(row=foot, column=1, value=safe_text(note))
        sheet.merge_cells(start_row=foot, start_column=1, end_row=foot, end_column=width)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[foot].height = 15 * max(1, -(-text_width(note) // (12 * width)))
        foot += 1
    sheet.cell(row=foot + 1, column=1, value=safe_text(foot_line(report)))

    for index, column in enumerate(columns, start=2):
        header = -(-text_width(column.label) // 3) + 2
        cap = 40 if column.kind == ColumnKind.TEXT else 22
        widths[index - 1] = min(cap, max(10, header, widths[index - 1]))
    widths[0] = min(40, max(12, widths[0]))
    for index, value in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = value

    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=2)
    print_setup(
        sheet,
        header_row=HEADER_ROW,
        last_column=width,
        last_row=foot + 1,
        made_by=report.generated_by(),
        made_at=report.generated_at,
    )
    workbook.properties.title = report.title()
    workbook.properties.creator = report.generated_by()

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the run ---------------------------------------------------------------------------------


def build(committees: int):
    from scale.province import Sizes, build_province

    streets = max(1, (committees + 19) // 20)
    build_province(
        Sizes(
            districts=max(1, (streets + 9) // 10),
            streets=streets,
            committees=committees,
            postings=committees * 12,
            premises=committees * 3,
            returns_year=2006,
        ),
        seed=2006,
    )


def parameters(report_class) -> dict:
    return {"year": 2006, "quarter": 4} if "quarter" in report_class.parameters else {"year": 2006}


def download(report_class, user, render) -> tuple[float, int]:
    """One download: the report made for ``user`` and rendered; seconds and bytes."""
    started = time.perf_counter()
    body = render(report_class(user=user, **parameters(report_class)))
    return time.perf_counter() - started, len(body)


def profile(report_class, user, top: int = 30) -> None:
    import cProfile
    import pstats

    from reports.rendering import render_xlsx

    profiler = cProfile.Profile()
    profiler.enable()
    seconds, size = download(report_class, user, render_xlsx)
    profiler.disable()
    print(f"{report_class.identifier}: {seconds:.2f} s (profiled), {size / 1e6:.1f} MB")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--committees", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3, help="runs of ours and of the baseline")
    parser.add_argument("--only", help="only the reports whose identifier contains this")
    parser.add_argument("--profile", metavar="NAME", help="profile ours for report NAME")
    parser.add_argument("--no-baseline", action="store_true", help="time ours only")
    args = parser.parse_args(argv)

    load_start = "/".join(f"{x:.1f}" for x in os.getloadavg())
    setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.models import User
    from bench.machine import describe, print_goal
    from reports.registry import REPORTS, get_report_class
    from reports.rendering import render_xlsx

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        print(f"load average at the start: {load_start}")
        started = time.perf_counter()
        build(args.committees)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"province of {args.committees:,} committees built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        clerk = User.objects.get(username="gclerk")
        if args.profile:
            profile(get_report_class(args.profile), clerk)
            return 0
        renders = [("ours", render_xlsx)]
        if not args.no_baseline:
            renders.append(("baseline", render_xlsx_cell_by_cell))
        missed = 0
        print(f"{'report':20} {'ours s':>8} {'base s':>8} {'ratio':>7}  goal < {GOAL_SECONDS} s")
        for report_class in REPORTS:
            if args.only and args.only not in report_class.identifier:
                continue
            times = {label: [] for label, _render in renders}
            download(report_class, clerk, render_xlsx)  # warm: translations, caches, imports
            for _round in range(max(args.rounds, 1)):
                for label, render in renders:
                    times[label].append(download(report_class, clerk, render)[0])
            ours = statistics.median(times["ours"])
            base = statistics.median(times["baseline"]) if "baseline" in times else None
            met = ours < GOAL_SECONDS
            missed += not met
            ratio = f"{base / ours:6.1f}x" if base else "      –"
            base_text = f"{base:8.2f}" if base else "       –"
            print(
                f"{report_class.identifier:20} {ours:8.2f} {base_text} {ratio}  "
                f"{'met' if met else 'MISSED'}"
            )
            print_goal(
                f"{report_class.identifier} workbook < {GOAL_SECONDS} s",
                met,
                f"{ours:.2f} s" + (f", {base / ours:.1f}x the old renderer" if base else ""),
            )
        print(
            f"goal (every report's workbook < {GOAL_SECONDS} s): "
            f"{'met' if not missed else f'missed by {missed} report(s)'}"
        )
        print(f"load average at the end: {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"machine: {describe(connection)}")
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
