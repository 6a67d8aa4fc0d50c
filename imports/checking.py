"""Checking a file's rows, set-based, before anything is written: each row through its
register's resource and the model's ``full_clean()`` (:func:`check_rows`), check constraints
evaluated in Python, uniqueness for all rows at once (:func:`unique_errors`), repeated keys
within the file (:func:`duplicate_errors`); and, after a database refusal, which rows it
refused (:func:`constraint_errors`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext as _
from import_export import widgets

from scoping.bulk import relation_fields

from .columns import normalise_header
from .errors import RowError

if TYPE_CHECKING:
    from .reading import Sheet

logger = logging.getLogger(__name__)

# What a row the resource cannot take raises: the file's fault, reported on its row. Any
# other exception is a bug: logged and raised, never shown to the user as a row's error.
ROW_ERRORS = (ValidationError, ValueError, ObjectDoesNotExist)


@dataclass
class PreviewRow:
    """What the import does (or would do) with one row of the file."""

    row: int  # the row number Excel shows
    action: str  # "new", "update" or "skip" (unchanged)
    label: str  # the row's object, as the register's lists show it
    changes: list[str] = field(default_factory=list)  # the columns an update changes


def duplicate_errors(resource, rows: list[dict], sheet: Sheet) -> list[RowError]:
    """Rows that repeat another row's key (the import-id columns) in the same file."""
    columns = [str(resource.fields[name].column_name) for name in resource.get_import_id_fields()]
    if not columns or not rows or not all(c in rows[0] for c in columns):
        return []
    seen: dict[tuple, int] = {}
    errors = []
    for position, row in enumerate(rows):
        key = tuple(normalise_header(row[c]) for c in columns)
        if not any(key) or any("*" in part for part in key):
            continue  # no key, or a masked ID number: the resource matches by other columns
        number = sheet.numbers[position]
        if key in seen:
            errors.append(
                RowError(
                    number,
                    "、".join(columns),
                    _("This row repeats row %(row)s (the same %(columns)s).")
                    % {"row": seen[key], "columns": "、".join(columns)},
                    sheet.title,
                )
            )
        else:
            seen[key] = number
    return errors


# --- checking and writing the rows: set-based ---------------------------------------------


@dataclass
class Pending:
    """A row of the file, checked, about to be written."""

    number: int  # the Excel row number
    instance: object
    new: bool
    fields: list[str]  # for an update: the model fields it changes


def _snapshot(instance, attnames):
    return [getattr(instance, name) for name in attnames]


def _error_items(exc: ValidationError, columns: dict) -> list[tuple[str, str]]:
    """(column header, message) for each message of a validation error."""
    items = []
    if hasattr(exc, "error_dict"):
        for attribute, errors in exc.error_dict.items():
            column = columns.get(attribute, "" if attribute == "__all__" else attribute)
            for error in errors:
                for message in error.messages if hasattr(error, "messages") else [str(error)]:
                    items.append((column, message))
    else:
        items.extend(("", message) for message in exc.messages)
    return items


class _RowCheck:
    """One check of a row (``with check:``): what the file did wrong (:data:`ROW_ERRORS`)
    is noted as the row's error and the row's other checks still run; anything else is a
    bug, logged with the row it happened on and raised. A class rather than a generator
    context manager: it is entered four times per row."""

    __slots__ = ("note", "sheet", "number")

    def __init__(self, note, sheet: Sheet, number: int):
        self.note, self.sheet, self.number = note, sheet, number

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if kind is None:
            return False
        if issubclass(kind, ROW_ERRORS):
            self.note(exc)
            return True
        if issubclass(kind, Exception):
            logger.error(
                "Import check of sheet “%s”, row %s failed",
                self.sheet.title,
                self.number,
                exc_info=(kind, exc, traceback),
            )
        return False


def check_rows(resource, rows: list[dict], sheet: Sheet, *, progress=None):
    """Every row through the register's resource — its fields and widgets, the model's
    ``full_clean()`` (``clean()`` included), the scope — with what the rows refer to read
    once for the whole file (:meth:`scoping.resources.ScopedResource.prepare_import`).

    Returns the rows to write, the preview of every row and the errors. Uniqueness and the
    database's constraints are checked for all rows together afterwards (:func:`write_rows`).
    """
    model = resource._meta.model
    concrete = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    present = [
        fld
        for fld in resource.get_import_fields()
        if fld.attribute
        and rows
        and str(fld.column_name) in rows[0]
        and not isinstance(fld.widget, widgets.ManyToManyWidget)
    ]
    columns = {fld.attribute: str(fld.column_name) for fld in resource.get_import_fields()}
    skip_unchanged = resource._meta.skip_unchanged
    resource.prepare_import(rows)
    # Each column's import compiled once (the resource's import_plan), not decided per cell.
    plans = [(fld.attribute, resource.import_plan(fld)) for fld in present]
    pending: list[Pending] = []
    preview: list[PreviewRow] = []
    errors: list[RowError] = []
    user = resource.user
    step = max(len(rows) // 20, 500)
    checks = _check_constraints(model)
    for position, row in enumerate(rows):
        number = sheet.numbers[position]
        if progress is not None and position and position % step == 0:
            progress(position, len(rows) * 2)
        # Every check of the row runs, whatever an earlier one found: the user sees every
        # error of every row in one pass, each on its column where it has one.
        found: list[tuple[str, str]] = []
        failed_fields: set[str] = set()

        def note(exc, found=found, failed_fields=failed_fields):
            if isinstance(exc, ValidationError):
                found.extend(_error_items(exc, columns))
                if hasattr(exc, "error_dict"):
                    failed_fields.update(exc.error_dict)
            else:
                found.append(("", str(exc)))

        check = _RowCheck(note, sheet, number)
        with check:
            resource.before_import_row(row, user=user)
        instance = None
        with check:
            instance, new = resource.get_or_init_instance(None, row)
        if instance is None:
            instance, new = resource.init_instance(row), True  # its cells are checked still
        before = None if new else _snapshot(instance, concrete)
        field_errors = {}
        for attribute, plan in plans:
            try:
                plan(instance, row)
            except ValueError as exc:
                field_errors[attribute] = ValidationError(str(exc))
        if not found and not new and not field_errors and skip_unchanged:
            if _snapshot(instance, concrete) == before:
                preview.append(PreviewRow(number, "skip", str(instance)))
                continue
        with check:
            resource.validate_instance(instance, field_errors, validate_unique=False)
        for constraint, names in checks:
            if names & failed_fields:
                continue  # a constraint on a cell already in error says nothing more
            message = _violated(constraint, model, instance)
            if message:
                found.append(("、".join(columns.get(n, n) for n in sorted(names)), message))
        if not found:
            with check:
                resource.before_save_instance(instance, row, user=user)
        if found:
            errors.extend(
                RowError(number, column, message, sheet.title) for column, message in found
            )
            continue
        changed = []
        if not new:
            after = _snapshot(instance, concrete)
            changed = [n for n, old, now in zip(concrete, before, after, strict=True) if old != now]
            changed += [f.attname for f in unsaved_references(instance) if f.attname not in changed]
        pending.append(Pending(number, instance, new, changed))
        if new:
            for fld in present:
                if hasattr(fld.widget, "offer"):
                    fld.widget.offer(instance)
        labels = [columns.get(model._meta.get_field(n).name, n) for n in changed]
        preview.append(PreviewRow(number, "new" if new else "update", str(instance), labels))
    for instance, attribute, message in resource.file_errors([p.instance for p in pending]):
        number = next(p.number for p in pending if p.instance is instance)
        errors.append(RowError(number, columns.get(attribute, ""), message, sheet.title))
    errors.extend(unique_errors(model, pending, columns, sheet))
    return pending, preview, errors


# --- check constraints, in Python ----------------------------------------------------------


class _Unsupported(Exception):
    pass


_COMPARE = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _check_constraints(model) -> list[tuple[CheckConstraint, set[str]]]:
    """The model's check constraints, each with the fields it reads."""
    found = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            names = {name.split(LOOKUP_SEP)[0] for name in _referenced(constraint.condition)}
            found.append((constraint, {n for n in names if n and n != "pk"}))
    return found


def _referenced(node):
    if isinstance(node, Q):
        for child in node.children:
            yield from _referenced(child)
    elif isinstance(node, tuple):
        yield node[0]
        if isinstance(node[1], F):
            yield node[1].name
    else:
        for ref in getattr(node, "flatten", lambda: [])():
            if isinstance(ref, F):
                yield ref.name


def _attribute(model, instance, name):
    if name == "pk":
        return instance.pk
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise _Unsupported from None
    if field.is_relation and field.is_cached(instance):
        related = getattr(instance, field.name)  # maybe a row of the same file, unsaved yet
        return None if related is None else (related.pk if related.pk is not None else related)
    return getattr(instance, field.attname)


def _truth(model, instance, node):
    """SQL's three-valued truth of a constraint's condition on an unsaved row (None for
    unknown, which a CHECK constraint lets pass), for conditions of plain lookups."""
    if isinstance(node, Q):
        values = [_truth(model, instance, child) for child in node.children]
        if node.connector == Q.AND:
            value = False if False in values else (None if None in values else True)
        else:
            value = True if True in values else (None if None in values else False)
        if node.negated and value is not None:
            value = not value
        return value
    if not isinstance(node, tuple):
        raise _Unsupported
    path, right = node
    name, _sep, lookup = path.partition(LOOKUP_SEP)
    lookup = lookup or "exact"
    left = _attribute(model, instance, name)
    if isinstance(right, F):
        right = _attribute(model, instance, right.name)
    elif hasattr(right, "resolve_expression"):
        raise _Unsupported
    if lookup == "isnull":
        return (left is None) == bool(right)
    if lookup == "in":
        return None if left is None else left in right
    if lookup not in _COMPARE:
        raise _Unsupported
    if left is None or right is None:
        return None
    try:
        return _COMPARE[lookup](left, right)
    except TypeError:
        return None  # a cell of the wrong type is reported by its own check


def _violated(constraint: CheckConstraint, model, instance) -> str | None:
    """The constraint's message if the row breaks it: evaluated in Python (no query per
    row) where the condition is plain lookups, else by Django's own ``validate``."""
    try:
        broken = _truth(model, instance, constraint.condition) is False
    except _Unsupported:
        try:
            constraint.validate(model, instance)
            broken = False
        except ValidationError:
            broken = True
    return str(constraint.get_violation_error_message()) if broken else None


def _unique_sets(model) -> list[tuple[tuple[str, ...], object]]:
    """The model's unique field sets (``unique=True`` fields and unconditional
    ``UniqueConstraint``s on plain fields), each with what reports a clash."""
    sets = []
    for fld in model._meta.concrete_fields:
        if fld.unique and not fld.primary_key:
            sets.append(((fld.name,), None))
    for fields_ in model._meta.unique_together:
        sets.append((tuple(fields_), None))
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, UniqueConstraint)
            and constraint.fields
            and not (constraint.condition or constraint.expressions)
        ):
            sets.append((tuple(constraint.fields), constraint))
    return sets


def unique_errors(model, pending: list[Pending], columns: dict, sheet: Sheet) -> list[RowError]:
    """Clashes of the rows to write with each other and with the stored rows, one query per
    unique field set (the per-row ``validate_unique`` would be one query per row)."""
    errors: list[RowError] = []
    if not pending:
        return errors
    for names, constraint in _unique_sets(model):
        attnames = [model._meta.get_field(name).attname for name in names]
        keys: dict[tuple, Pending] = {}
        for item in pending:
            key = tuple(getattr(item.instance, a) for a in attnames)
            if any(part is None for part in key):
                continue  # NULLs never clash
            if key in keys:
                continue  # repeats in the file are reported by duplicate_errors or below
            keys[key] = item
        if not keys:
            continue
        own = {item.instance.pk for item in pending if item.instance.pk is not None}
        firsts = sorted({key[0] for key in keys}, key=str)
        clashes = set()
        for start in range(0, len(firsts), 2000):
            stored = model._default_manager.filter(
                **{f"{attnames[0]}__in": firsts[start : start + 2000]}
            ).exclude(pk__in=own)
            clashes.update(stored.values_list(*attnames))
        for key in clashes & set(keys):
            item = keys[key]
            if constraint is not None:
                message = constraint.get_violation_error_message()
            else:
                message = item.instance.unique_error_message(model, names).messages[0]
            column = "、".join(columns.get(name, name) for name in names)
            errors.append(RowError(item.number, column, message, sheet.title))
    return errors


def constraint_errors(pending: list[Pending], columns: dict, sheet: Sheet) -> list[RowError]:
    """The database refused the rows: find which, row by row (only ever after a refusal)."""
    errors = []
    for item in pending:
        try:
            item.instance.validate_constraints()
            item.instance.validate_unique()
        except ValidationError as exc:
            for column, message in _error_items(exc, columns):
                errors.append(RowError(item.number, column, message, sheet.title))
    return errors


def unsaved_references(instance):
    """The foreign keys of ``instance`` that point at a row of the same file not yet written."""
    return [
        f
        for f in relation_fields(type(instance))
        if f.is_cached(instance)
        and f.get_cached_value(instance) is not None
        and f.get_cached_value(instance).pk is None
    ]
