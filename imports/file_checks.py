"""The first stage of every import: the file is what its name says, within the size limits,
not a zip bomb, and within the extent a reader may allocate for (:mod:`imports.file_safety`),
all before any reader opens it. :func:`check_file` returns the file's format."""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError
from .file_safety import ExtentError, check_extent

FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".xls": "xls", ".csv": "csv"}


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_file(path: Path) -> str:
    """The file's format, once it is known to be what its name says and within the limits."""
    suffix = path.suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None:
        raise ImportFileError(
            _("Files of type “%(suffix)s” cannot be imported; use .xlsx, .xls, .ods or .csv.")
            % {"suffix": suffix or path.name}
        )
    size = path.stat().st_size
    max_bytes = limit("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    if size > max_bytes:
        raise ImportFileError(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported.")
            % {"size": round(size / 1048576, 1), "limit": round(max_bytes / 1048576, 1)}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    with path.open("rb") as handle:
        head = handle.read(8)
    is_zip, is_ole = head.startswith(b"PK\x03\x04"), head.startswith(b"\xd0\xcf\x11\xe0")
    if kind in ("xlsx", "ods") and not is_zip or kind == "xls" and not is_ole:
        if kind == "xlsx" and is_ole:
            raise ImportFileError(
                _("The file is an old Excel .xls workbook named .xlsx; rename it to .xls.")
            )
        raise ImportFileError(
            _("The file is not a %(kind)s workbook, whatever its name says.")
            % {"kind": suffix.lstrip(".")}
        )
    if kind == "csv" and (is_zip or is_ole):
        raise ImportFileError(_("The file is a workbook, not a CSV file; name it .xlsx or .xls."))
    if is_zip:
        check_zip(path, kind)
    try:
        check_extent(path, kind)
    except ExtentError as exc:
        raise ImportFileError(str(exc)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ImportFileError(_("The workbook is damaged and cannot be read.")) from exc
    return kind


def check_zip(path: Path, kind: str) -> None:
    """Refuses compressed entries that would expand past the bounds (zip bombs), unopened.
    What the parts hold (their extent, any entity declaration) is measured next, by
    :func:`imports.file_safety.check_extent`."""
    max_total = limit("IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
    max_ratio = limit("IMPORT_MAX_COMPRESSION_RATIO", 200)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            needed = "[Content_Types].xml" if kind == "xlsx" else "content.xml"
            if needed not in names:
                raise ImportFileError(
                    _("The file is not a %(kind)s workbook, whatever its name says.")
                    % {"kind": path.suffix.lower().lstrip(".")}
                )
            total = 0
            for entry in entries:
                total += entry.file_size
                ratio = entry.file_size / max(entry.compress_size, 1)
                if total > max_total or (entry.file_size > 1024 * 1024 and ratio > max_ratio):
                    raise ImportFileError(
                        _(
                            "The workbook expands to more than it should (a compressed part of "
                            "%(size)s MB); it was refused unopened."
                        )
                        % {"size": round(entry.file_size / 1048576)}
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise ImportFileError(_("The workbook is damaged and cannot be read.")) from exc
