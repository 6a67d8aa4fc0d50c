"""One header style for every workbook (issue 14): defined in scoping.spreadsheets, used by
the register exports, the import templates, the reports and the quarterly grid."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from imports.exports import export_register
from imports.template_workbooks import template_workbook
from scoping.spreadsheets import HEADER_FILL_RGB

APPS = ("accounts", "scoping", "audit", "communities", "staffing", "facilities", "budgets",
        "returns", "imports", "reports", "overview", "jianye")


def _is_header_style(cell):
    return cell.font.bold and cell.fill.fgColor.rgb.endswith(HEADER_FILL_RGB)


def test_the_header_colour_is_written_in_one_place():
    places = [
        path.relative_to(settings.BASE_DIR).as_posix()
        for app in APPS
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if HEADER_FILL_RGB in path.read_text(encoding="utf-8")
    ]
    assert places == ["scoping/spreadsheets.py"]


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["compiled", "per-instance"])
def test_register_export_and_template_headers_share_the_style(users, tmp_path, suffix, monkeypatch):
    if suffix == "per-instance":
        monkeypatch.setattr("imports.exports.plan_for", lambda resource, fields=None: None)
    path = tmp_path / "committees.xlsx"
    export_register("committees", path, user=users["clerk"])
    exported = openpyxl.load_workbook(path).active
    template = openpyxl.load_workbook(
        io.BytesIO(template_workbook(register="committees", user=users["clerk"]))
    ).worksheets[0]
    for sheet in (exported, template):
        assert sheet.freeze_panes == "A2"
        assert all(_is_header_style(cell) for cell in sheet[1])
        assert not any(_is_header_style(cell) for cell in sheet[2])
