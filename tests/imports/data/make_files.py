"""Makes the real-world-shaped files of this folder (run once; the files are committed).

    python tests/imports/data/make_files.py

Workbooks are drawn with openpyxl, then opened and saved by LibreOffice (``soffice
--headless --convert-to``) so that the committed .xlsx, .ods and .xls are what LibreOffice
writes: its styles, its shared strings, cached formula values, padded rows. Needs
LibreOffice Calc (``apt-get install libreoffice-calc-nogui``).
"""

import datetime
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill

HERE = Path(__file__).resolve().parent

# Two committees of 南湖街道 in the demo data.
ROWS = [
    # code, name, street, kind, status, area type, households, population, established, 1-stop
    (
        "320105001001",
        "南湖东路社区",
        "南湖街道",
        "社区居委会",
        "正常运转",
        "老城整合区",
        2501,
        7001,
        datetime.date(2002, 1, 1),
        "试点",
    ),
    (
        "320105001002",
        "南湖西路社区",
        "南湖街道",
        "社区居委会",
        "正常运转",
        "老城整合区",
        2302,
        6515,
        datetime.date(2002, 1, 1),
        "试点",
    ),
]
HEADERS_ZH = [
    "代码",
    "名称",
    "街道",
    "类别",
    "状态",
    "区域类型",
    "户数",
    "人口",
    "建立日期",
    "一站式服务",
]
OTHER = ["合署办公的社区", "撤销日期", "一站式服务开展日期"]


def committees_sheet(sheet, rows=ROWS, *, title=True, extra=True):
    """A register as a clerk keeps it: a merged title row, headers in their own order."""
    headers = [
        "名称",
        "代码",
        "户数",
        "人口",
        "街道",
        "类别",
        "状态",
        "区域类型",
        "建立日期",
        "一站式服务",
        *OTHER,
    ]
    if extra:
        headers.append("备注（内部）")
    if title:
        sheet.append(["建邺区社区居委会名册（2007年）"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for code, name, street, kind, status, area, households, people, since, one_stop in rows:
        line = [
            name,
            code,
            households,
            people,
            street,
            kind,
            status,
            area,
            since,
            one_stop,
            None,
            None,
            datetime.date(2006, 3, 1),
        ]
        if extra:
            line.append("核对过")
        sheet.append(line)
    for cell in sheet[sheet.max_row - len(rows) + 1 : sheet.max_row]:
        for item in cell:
            if isinstance(item.value, datetime.date):
                item.number_format = "yyyy年m月d日"
    sheet.column_dimensions["A"].width = 16


def save_with_libreoffice(book, name, formats=("xlsx",)):
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"{Path(name).stem}-openpyxl.xlsx"
        book.save(source)
        for fmt in formats:
            target_filter = {"xlsx": "xlsx", "ods": "ods", "xls": "xls:MS Excel 97"}[fmt]
            out = Path(work) / fmt
            subprocess.run(
                [
                    "soffice",
                    "--headless",
                    "--convert-to",
                    target_filter,
                    "--outdir",
                    str(out),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            produced = out / f"{source.stem}.{fmt}"
            shutil.copy(produced, HERE / f"{Path(name).stem}.{fmt}")


def main():
    book = openpyxl.Workbook()
    book.active.title = "社区名册"
    committees_sheet(book.active)
    save_with_libreoffice(book, "committees_libreoffice", ("xlsx", "ods", "xls"))

    # Thousands of blank but formatted rows after the data, as LibreOffice and WPS leave them.
    book = openpyxl.Workbook()
    committees_sheet(book.active, title=False, extra=False)
    grey = PatternFill("solid", fgColor="EEEEEE")
    for row in range(4, 5004):
        book.active.cell(row=row, column=1).fill = grey
        book.active.cell(row=row, column=2, value="")
    save_with_libreoffice(book, "committees_padded")

    # Wrong types in several rows: every error listed, nothing written.
    book = openpyxl.Workbook()
    committees_sheet(book.active, title=False, extra=False)
    sheet = book.active
    sheet["C2"] = "很多"  # 户数 not a number
    sheet["I2"] = "去年"  # 建立日期 not a date
    sheet["F3"] = "街道办"  # 类别 not a choice
    sheet["D3"] = -5  # 人口 negative
    save_with_libreoffice(book, "committees_wrong_types")

    # A real formula (LibreOffice stores its value) and formula-like text.
    book = openpyxl.Workbook()
    committees_sheet(book.active, title=False, extra=False)
    book.active["C2"] = "=2500+1"
    book.active["A3"].value = "'=1+1"  # text, guarded the way our exports guard it
    save_with_libreoffice(book, "committees_formula_text")

    # Titles for a committee that does not exist.
    book = openpyxl.Workbook()
    book.active.append(["社区代码", "类别", "领域", "称号名称", "年份"])
    book.active.append(["320105001001", "特色社区", "文化", "文化特色社区", 2006])
    book.active.append(["320105999999", "特色社区", "文化", "文化特色社区", 2006])
    book.active.append(["不存在社区", "特色社区", "文化", "文化特色社区", 2006])
    save_with_libreoffice(book, "titles_unknown_committees")

    # CSV as Excel (GBK) and as WPS/Excel "UTF-8" (with BOM) write them.
    lines = [",".join(HEADERS_ZH)]
    for code, name, street, kind, status, area, households, people, since, one_stop in ROWS:
        day = f"{since.year}年{since.month}月{since.day}日"
        lines.append(
            ",".join(
                [
                    code,
                    name,
                    street,
                    kind,
                    status,
                    area,
                    str(households),
                    str(people),
                    day,
                    one_stop,
                ]
            )
        )
    (HERE / "committees_gbk.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    english = [
        "households",
        "code",
        "name",
        "street",
        "kind",
        "status",
        "area type",
        "population",
        "established on",
        "one-stop service",
    ]
    lines = [",".join(english)]
    for code, name, street, kind, status, area, households, people, since, one_stop in ROWS:
        lines.append(
            ",".join(
                [
                    str(households + 1),
                    code,
                    name,
                    street,
                    kind,
                    status,
                    area,
                    str(people),
                    since.isoformat(),
                    one_stop,
                ]
            )
        )
    (HERE / "committees_bom.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    duplicate = ROWS[0]
    lines = [",".join(HEADERS_ZH)]
    for households in (2600, 2700):
        code, name, street, kind, status, area, _h, people, since, one_stop = duplicate
        lines.append(
            ",".join(
                [
                    code,
                    name,
                    street,
                    kind,
                    status,
                    area,
                    str(households),
                    str(people),
                    since.isoformat(),
                    one_stop,
                ]
            )
        )
    (HERE / "committees_duplicates.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


if __name__ == "__main__":
    main()
