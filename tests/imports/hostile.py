"""Hostile workbooks, made by the tests themselves (no binary blobs): tiny files that declare
or hold cells far away, repeat cells without end, or hide entity declarations."""

import re
import struct
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(cells: list[tuple[str, str]], *, dimension: str | None = None) -> str:
    rows: dict[int, list[str]] = {}
    for ref, text in cells:
        rows.setdefault(int(re.sub(r"[A-Z]", "", ref)), []).append(cell(ref, text))
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}">'
        f"{dim}<sheetData>{body}</sheetData></worksheet>"
    )


def xlsx(path: Path, sheet: str, *, shared: str | None = None, title: str = "名册") -> Path:
    """A minimal .xlsx whose one sheet is ``sheet`` (the worksheet part's XML)."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared
            else ""
        )
        + "</Types>"
    )
    book_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            if shared
            else ""
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
            f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared:
            archive.writestr("xl/sharedStrings.xml", shared)
    return path


ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="名册">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
ODS_CELL = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'


def ods(path: Path, rows_xml: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", ODS_HEAD + rows_xml + ODS_TAIL)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
    return path


def xls_far_cell(path: Path, row: int = 65535, column: int = 255) -> Path:
    """The committed LibreOffice .xls with its last text cell moved to (row, column), from 0:
    the largest grid an .xls can declare."""
    from xlrd.compdoc import CompDoc

    data = (DATA / "committees_libreoffice.xls").read_bytes()
    stream = CompDoc(data).get_named_stream("Workbook")
    position, last = 0, None
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        if kind == 0x00FD:  # LABELSST: row, column, format, string index
            last = stream[position : position + 4 + length]
        position += 4 + length
    offset = data.find(last)
    assert offset > 0 and data.count(last) == 1
    patched = bytearray(data)
    struct.pack_into("<HH", patched, offset + 4, row, column)
    path.write_bytes(bytes(patched))
    return path


def far_cell_xlsx(path: Path, ref: str = "XFD1048576") -> Path:
    """The 5 KB workbook of the review: a header and one cell at ``ref``."""
    return xlsx(path, sheet_xml([("A1", "代码"), ("B1", "户数"), (ref, "x")]))


def hostile_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each hostile file, with a text its refusal must contain (the limit it names)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[Path, str]] = {}
    files["xlsx-cell-XFD1048576"] = (far_cell_xlsx(folder / "far.xlsx"), "1,048,576")
    files["xlsx-cell-P1000000"] = (far_cell_xlsx(folder / "p.xlsx", "P1000000"), "120,000")
    files["xlsx-declared-dimension"] = (
        xlsx(folder / "dim.xlsx", sheet_xml([("A1", "代码")], dimension="A1:XFD1048576")),
        "120,000",
    )
    # Cells without references (their place follows the previous cell's): the careful path.
    unreferenced = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
        '<row><c t="inlineStr"><is><t>代码</t></is></c></row>'
        '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    )
    files["xlsx-unreferenced-cells"] = (xlsx(folder / "noref.xlsx", unreferenced), "120,000")
    prefixed = (
        f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>代码</x:t></x:is></x:c></x:row>'
        '<x:row r="900"><x:c r="ZZ900" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    files["xlsx-prefixed-elements"] = (xlsx(folder / "prefixed.xlsx", prefixed), "512")
    # A 30,000-character shared string repeated by 20,000 cells: 600 million characters.
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1">'
        f"<si><t>{'长' * 30000}</t></si></sst>"
    )
    repeated = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 20001))
    files["xlsx-shared-string-repeated"] = (
        xlsx(
            folder / "sst.xlsx",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
            f"{repeated}</sheetData></worksheet>",
            shared=shared,
        ),
        "20,000,000",
    )
    # A DTD after a comment longer than the first 4,096 bytes (the old check's blind spot).
    laughs = (
        '<?xml version="1.0" encoding="UTF-8"?><!--' + "x" * 5000 + '--><!DOCTYPE lolz ['
        '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cell("A1", "&lol2;")}</row>'
        "</sheetData></worksheet>"
    )
    files["xlsx-entities-after-comment"] = (xlsx(folder / "laughs.xlsx", laughs), "XML")
    # 1.5 KB of .ods: a cell repeated across 16,000 columns in 6,000 rows (96 million cells).
    files["ods-repeated-cells"] = (
        ods(
            folder / "repeated.ods",
            '<table:table-row table:number-rows-repeated="6000"><table:table-cell '
            'office:value-type="string" table:number-columns-repeated="16000"><text:p>x</text:p>'
            "</table:table-cell></table:table-row>",
        ),
        "512",
    )
    files["ods-repeated-rows-then-a-cell"] = (
        ods(
            folder / "rows.ods",
            f"<table:table-row>{ODS_CELL.format('代码')}</table:table-row>"
            '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/>'
            f"</table:table-row><table:table-row>{ODS_CELL.format('x')}</table:table-row>",
        ),
        "120,000",
    )
    files["ods-wide-block"] = (
        ods(
            folder / "block.ods",
            '<table:table-row table:number-rows-repeated="50000"><table:table-cell '
            'office:value-type="string" table:number-columns-repeated="500"><text:p>x</text:p>'
            "</table:table-cell></table:table-row>",
        ),
        "2,000,000",
    )
    files["xls-cell-IV65536"] = (xls_far_cell(folder / "far.xls"), "2,000,000")
    return files
