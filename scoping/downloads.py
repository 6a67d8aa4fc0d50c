"""Downloads named as people name files: in Chinese, saying what the file is.

One rule for every file the application hands out (report tables, the yearly text, the
grid's workbook, import templates, register exports): :func:`file_name` makes a title safe
as a file name on Windows and macOS, :func:`disposition` sends it as RFC 5987
``filename*`` (Django's ``content_disposition_header``), which every current browser reads.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

# What a file name may not hold on Windows or macOS, and its full-width stand-in.
FILE_NAME_UNSAFE = str.maketrans(
    {
        '"': "”",
        "*": "＊",
        "/": "／",
        ":": "：",
        "<": "＜",
        ">": "＞",
        "?": "？",
        "\\": "＼",
        "|": "｜",
    }
)


def file_name(text: str) -> str:
    """``text`` (a file's title) as a file name: the characters file systems refuse
    replaced by their full-width forms, control characters and outer spaces dropped."""
    text = "".join(ch for ch in str(text) if ch.isprintable()).translate(FILE_NAME_UNSAFE)
    return text.strip(" .") or "report"


def disposition(title: str, extension: str) -> str:
    """The Content-Disposition of a download titled ``title`` with ``extension``."""
    return content_disposition_header(True, f"{file_name(title)}.{extension}")


def attachment(body: bytes, output: str, filename: str) -> HttpResponse:
    """``body`` as a download named ``filename.output``."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[output])
    response["Content-Disposition"] = disposition(filename, output)
    return response
