"""The import path shared by ``manage.py importxlsx`` and anything else that imports a file.

It runs a register's django-import-export resource (the same one the admin's import page
uses, with the same scoping by user) in two passes: a dry run that collects every error of
the file, then — only if there was none — the real import in one transaction. One bad row and
nothing from the file is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

# Register name (as used on the command line) → resource class.
REGISTERS = {
    "streets": "communities.resources.StreetResource",
    "committees": "communities.resources.CommitteeResource",
    "titles": "communities.resources.TitleResource",
    "centres": "communities.resources.CommunityCentreResource",
    "returns": "returns.resources.QuarterlyReturnResource",
}


class ImportFileError(ValueError):
    """The file cannot be read at all (format, missing columns)."""


@dataclass
class RowError:
    row: int  # as Excel shows it: the header is row 1
    column: str
    message: str

    def __str__(self):
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportOutcome:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


def resource_class(register: str):
    try:
        dotted = REGISTERS[register]
    except KeyError:
        raise ImportFileError(
            _("Unknown register “%(name)s”. Registers: %(names)s.")
            % {"name": register, "names": ", ".join(sorted(REGISTERS))}
        ) from None
    module, _sep, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


def read_dataset(path: Path) -> tablib.Dataset:
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            with path.open("rb") as handle:
                dataset = tablib.Dataset().load(handle, format="xlsx")
        elif suffix == ".csv":
            raw = path.read_bytes()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK."))
            dataset = tablib.Dataset().load(text, format="csv")
        else:
            raise ImportFileError(_("Only .xlsx and .csv files can be imported."))
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is the file's fault
        raise ImportFileError(_("The file cannot be read: %(reason)s") % {"reason": exc}) from exc
    # Drop blank padding rows (spreadsheets often carry many).
    blank = [i for i, row in enumerate(dataset) if all(v in (None, "") for v in row)]
    for index in reversed(blank):
        del dataset[index]
    return dataset


def _column_names(resource) -> dict[str, str]:
    return {f.attribute: str(f.column_name) for f in resource.get_import_fields()}


def _row_errors(resource, result) -> list[RowError]:
    columns = _column_names(resource)
    errors: list[RowError] = []
    for line, error in result.row_errors():
        for item in error:
            errors.append(RowError(line + 1, "", str(item.error)))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = columns.get(attribute, "" if attribute == "__all__" else attribute)
            for message in messages:
                text = message.messages[0] if hasattr(message, "messages") else str(message)
                errors.append(RowError(invalid.number + 1, column, text))
    return sorted(errors, key=lambda e: (e.row, e.column))


def import_file(*, register: str, path: Path, user, dry_run: bool = False) -> ImportOutcome:
    resource = resource_class(register)(user=user)
    dataset = read_dataset(Path(path))
    expected = set(_column_names(resource).values())
    missing = [name for name in expected if name not in (dataset.headers or [])]
    if missing:
        raise ImportFileError(
            _("The file lacks the column(s): %(columns)s.") % {"columns": "、".join(sorted(missing))}
        )
    # Pass 1: everything, nothing written.
    result = resource.import_data(dataset, dry_run=True, use_transactions=True, user=user)
    outcome = ImportOutcome(errors=_row_errors(resource, result))
    totals = result.totals
    outcome.new, outcome.updated = totals.get("new", 0), totals.get("update", 0)
    outcome.unchanged = totals.get("skip", 0)
    if outcome.errors or dry_run:
        return outcome
    # Pass 2: the same rows for real, in one transaction.
    with transaction.atomic():
        resource = resource_class(register)(user=user)
        result = resource.import_data(dataset, dry_run=False, use_transactions=True, user=user)
        if result.has_errors() or result.has_validation_errors():
            outcome.errors = _row_errors(resource, result)
            transaction.set_rollback(True)
            return outcome
    outcome.written = True
    return outcome
