"""The import path shared by the browser, ``manage.py importxlsx`` and anything else.

Each row goes through its register's django-import-export resource (the same one the admin
uses, with the same scoping by user: its fields, widgets and hooks), but the loop is ours and
set-based: what the rows refer to (committees by code, streets by name, people by ID-card
number) and the existing rows the file's keys name are read once for the whole file; each
row is checked with the model's ``full_clean()``; uniqueness is checked for all rows at once;
then — only if no row has an error — every row is written in bulk with its history row, in
one transaction, and a database constraint that still refuses is reported on its row. One
bad row and nothing from the file is written. Each import that writes (or is refused) is
recorded in :class:`imports.models.ImportRecord`, and each history row it wrote names that
record ("import #<id>").

Registers (the names ``importxlsx``, ``importtemplate`` and ``/imports/<register>/`` take;
each declared beside its resource class with :func:`imports.registry.register_file`):

==================== ==========================================================
``streets``          streets (街道)
``committees``       residents' committees (社区居委会)
``titles``           titles: star and characteristic communities (社区称号)
``centres``          community centres (社区服务中心)
``positions``        positions (岗位)
``pay-standards``    pay standards per position (岗位报酬标准)
``people``           people (人员)
``postings``         postings: who works where, from when (在岗记录)
``pay-components``   what the streets pay beyond the standard (补充报酬)
``training``         training classes (培训班)
``attendance``       training attendance (培训出勤)
``exam-results``     skills exam results (职业资格考试)
``qualifications``   recorded qualifications: IT operators (持证上岗)
``premises``         office and activity premises (办公和活动用房)
``function-standard`` the function-standard checklist items (功能标准项目)
``compliance``       each committee's compliance with the checklist (达标情况)
``area-standards``   area standards (用房面积标准)
``office-fund-rates`` office and activity fund rates (办公经费标准)
``cost-shares``      district/street cost shares (区街分担比例)
``party-allocations`` party-affairs allocations (党建经费)
``returns``          quarterly returns (季度报表)
==================== ==========================================================

Files as people make them: .xlsx/.xlsm (Excel, WPS, LibreOffice), .ods, .xls and CSV in
UTF-8, UTF-8 with BOM or GBK/GB18030 (also UTF-16 "Unicode text"), comma, semicolon or tab
separated. The header row may be in Chinese or English, in any order, below a title row;
unknown columns are ignored with a notice; blank rows are skipped; row numbers in messages
are those Excel shows.

The stages, each in its own module: :mod:`imports.file_checks` (and
:mod:`imports.file_safety`), :mod:`imports.reading`, :mod:`imports.columns`,
:mod:`imports.checking`, :mod:`imports.writing`; this module runs them (:func:`import_file`)
and holds the one rule of who may import (:func:`can_import`).

Limits (settings): ``IMPORT_MAX_UPLOAD_BYTES`` (10 MB), ``IMPORT_MAX_ROWS`` (100,000),
``IMPORT_MAX_UNCOMPRESSED_BYTES`` (100 MB inside an .xlsx/.ods) and
``IMPORT_MAX_COMPRESSION_RATIO`` (200 for any entry larger than 1 MB).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_permission_codename
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .checking import (
    PreviewRow,
    check_rows,
    constraint_errors,
    duplicate_errors,
)
from .columns import build_rows, column_aliases
from .errors import ImportFileError, ImportNotAllowed, RowError
from .models import ImportRecord, history_reason
from .reading import read_sheet
from .registry import resource_class
from .writing import write_rows


@dataclass
class ImportOutcome:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    written: bool = False
    sheet: str = ""
    rows: int = 0
    record: object = None  # the ImportRecord of a real import (written or refused)
    preview: list[PreviewRow] = field(default_factory=list)  # one per row, in file order


# --- who may import ----------------------------------------------------------------------


IMPORT_ACTIONS = ("add", "change")  # an import creates rows and changes rows


def import_permissions(register: str) -> list[str]:
    """The permissions an import into ``register`` needs: add and change of its model."""
    opts = resource_class(register)._meta.model._meta
    return [f"{opts.app_label}.{get_permission_codename(a, opts)}" for a in IMPORT_ACTIONS]


def can_import(register: str, user) -> bool:
    """Whether ``user`` may import into ``register``: the one rule of every caller (the
    admin's import page, ``importxlsx``, the background job, the returns grid)."""
    return user is not None and user.has_perms(import_permissions(register))


def ensure_can_import(register: str, user) -> None:
    if not can_import(register, user):
        model = resource_class(register)._meta.model
        raise ImportNotAllowed(
            _("User “%(user)s” may not import %(name)s (%(register)s).")
            % {
                "user": getattr(user, "username", "") or "-",
                "name": model._meta.verbose_name_plural,
                "register": register,
            }
        )


# --- importing ---------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(*, register, path, user, file_name, outcome):
    return ImportRecord.objects.create(
        user=user if getattr(user, "pk", None) else None,
        register=register,
        file_name=(file_name or Path(path).name)[:255],
        sha256=sha256_of(path),
        size=Path(path).stat().st_size,
        rows=outcome.rows,
        created=outcome.new,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        errors=len(outcome.errors),
        written=outcome.written,
    )


def import_file(
    *,
    register: str,
    path: Path,
    user,
    dry_run: bool = False,
    file_name: str | None = None,
    progress=None,
) -> ImportOutcome:
    """Imports ``path`` into ``register`` as ``user`` would: all rows or none.

    One pass: every row is checked (fields, the model's rules, scope, uniqueness across the
    file and against the database), then — only if no row has an error — all are written in
    bulk in one transaction, with a history row each and an
    :class:`imports.models.ImportRecord` (a refused file gets its record too).
    ``dry_run`` checks and writes the same way, then rolls everything back and records
    nothing (the preview), so the preview finds what the real import would.

    ``outcome.preview`` says, row by row, what was (or would be) done. ``progress``, if
    given, is called as ``progress(done, total)`` while rows are checked and written
    (a background import reports it to the user's progress bar).
    Raises :class:`ImportFileError` when the file cannot be imported at all, and
    :class:`ImportNotAllowed` (one) when ``user`` may not import into ``register``
    (:func:`can_import`).
    """
    path = Path(path)
    ensure_can_import(register, user)  # a dry run too: the preview is the import's first half
    resource = resource_class(register)(user=user)
    aliases = column_aliases(resource)
    sheet = read_sheet(path, aliases=aliases, file_name=file_name)
    rows, notices = build_rows(resource, sheet, aliases)
    if not rows:
        raise ImportFileError(
            _(
                "Sheet “%(sheet)s” has a header row but no data rows below it; nothing was "
                "imported."
            )
            % {"sheet": sheet.title}
        )
    outcome = ImportOutcome(notices=notices, sheet=sheet.title, rows=len(rows))
    model = resource._meta.model
    columns = {fld.attribute: str(fld.column_name) for fld in resource.get_import_fields()}
    with transaction.atomic():
        pending, outcome.preview, errors = check_rows(resource, rows, sheet, progress=progress)
        errors = duplicate_errors(resource, rows, sheet) + errors
        outcome.new = sum(1 for item in pending if item.new)
        outcome.updated = len(pending) - outcome.new
        outcome.unchanged = len(outcome.preview) - len(pending)
        if not errors:
            record = None if dry_run else _record(
                register=register, path=path, user=user, file_name=file_name, outcome=outcome
            )
            reason = history_reason(record) if record else "import (preview)"
            try:
                with transaction.atomic():
                    write_rows(model, pending, user=user, reason=reason, progress=progress)
            except IntegrityError as exc:
                errors = constraint_errors(pending, columns, sheet) or [
                    RowError(0, "", _("The database refused the file: %(reason)s") % {"reason": exc})
                ]
        outcome.errors = _sorted(_unique_messages(errors))
        if outcome.errors or dry_run:
            transaction.set_rollback(True)
        else:
            outcome.written = True
            record.written = True
            record.save(update_fields=["written"])
            outcome.record = record
            if progress is not None:
                progress(len(rows) * 2, len(rows) * 2)
    if outcome.errors and not dry_run:  # a refused file is recorded, outside the rollback
        outcome.record = _record(
            register=register, path=path, user=user, file_name=file_name, outcome=outcome
        )
    return outcome


def _unique_messages(errors: list[RowError]) -> list[RowError]:
    seen, kept = set(), []
    for error in errors:
        key = (error.sheet, error.row, error.column, error.message)
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return kept


def _sorted(errors):
    return sorted(errors, key=lambda e: (e.row, e.column, e.message))
