"""Streamed exports: any register to .xlsx or CSV, set-based, with flat memory.

:func:`export_register` writes what a user may see of a register (the resource's scoped
queryset, or a queryset given by the caller, e.g. an admin list's filtered one, always
narrowed to the user's scope) through the register's resource: the same columns, the same
Chinese headers, the same values as the resource's ``export_field`` (so through
:func:`scoping.spreadsheets.safe_text`: no text runs as a formula; ID-card numbers masked for
everyone but administrators).

How rows are made. Once per export, :func:`compile_plan` turns the resource into an
:class:`ExportPlan`: for every export column a ``values_list`` path (``committee__code``,
``person__id_number``...) and a small converter that does what the column's widget would do
(a choice code to its translated label through a dict built once, a date to the ISO text
the widget writes, numbers left native, a foreign key to the natural key the widget shows,
the formula guard on text). The rows then come from
``queryset.values_list(*paths).iterator(chunk_size=CHUNK_SIZE)``: tuples, no model
instances, no per-cell method dispatch through the resource.

What compiles: a field of the resource (``import_export.fields.Field``, not a subclass that
changes ``get_value``/``export``) whose attribute is a path of concrete model fields, with a
widget whose ``render`` is one of those this module knows (the stock ``Widget``,
``CharWidget``, ``BooleanWidget``, number widgets, ``ForeignKeyWidget``, and
:mod:`scoping.resources`' ``DateWidget``, ``ChoiceWidget``, ``ScopedForeignKeyWidget``). Two
hooks let an app's resource stay compiled:

- a widget class that defines its own ``render`` may define, in the same class,
  ``export_plan(self, attribute, **kwargs)`` returning ``(path, converter)``: the path to read
  and a function from the value read to what ``render`` returns (``kwargs`` are those
  ``render`` gets, e.g. ``user``);
- a resource method ``dehydrate_<name>`` may have a twin ``dehydrate_<name>_plan(self)`` in
  the same class, returning ``(path, converter)`` likewise;
- a resource's ``export_field`` override is trusted only when it is marked
  ``passes_user_only = True`` (it adds ``user=`` to the widgets' kwargs and nothing else).

Anything else (a ``dehydrate_*`` method without its twin, a widget not known here, a path
through a property or a reverse relation, a foreign key whose empty value could not be told
from an empty natural key) makes the whole register fall back to the per-instance path of
:func:`instance_rows` (``resource.export_field`` per cell, as before), so the output is never
silently different. ``tests/imports/test_export_fast.py`` checks, for every register, that
both paths give the same rows.

Writing. Compiled rows go to the .xlsx by :func:`write_xlsx_rows`, through the one fast sheet
writer of :mod:`scoping.spreadsheets` (also the reports' workbooks): the package (content types,
styles, workbook, the header row, the frozen header) is written by openpyxl, and the cells of
the data rows are written straight into the worksheet's XML stream, exactly as openpyxl's
write-only mode writes them (inline strings, numbers, the same escaping and checks), without
a cell object per value. Rows of the fallback path keep openpyxl's ``write_only`` append.
CSV is UTF-8 with BOM (Excel opens it in Chinese). A 100,000-row export never holds more
than one chunk of rows in memory.

``manage.py exportxlsx REGISTER --output FILE [--user USERNAME]`` is the command for it.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import fields as ie_fields
from import_export import widgets as ie_widgets

from scoping.resources import ChoiceWidget, DateWidget, ScopedForeignKeyWidget, ScopedResource
from scoping.rules import scope_queryset
from scoping.spreadsheets import FORMULA_TRIGGERS, safe_text, style_header, write_sheet

from .errors import ImportFileError
from .registry import resource_class

CHUNK_SIZE = 5000
EXPORT_FORMATS = (".xlsx", ".csv")


class ExportError(ValueError):
    """The export cannot be written (unknown register, unknown format, unwritable path)."""


class NotCompilable(Exception):  # noqa: N818 (a reason, not an error shown to people)
    """The resource has a column that only its per-instance ``export_field`` can render."""


# --- the per-instance path (the reference, and the fallback) --------------------------------


def headers_of(resource, fields=None) -> list[str]:
    """The headers of the export columns (``fields``: the names chosen, e.g. on the admin's
    export page; ``None`` for all, as ``Resource.get_export_fields`` takes them)."""
    return [str(field.column_name) for field in resource.get_export_fields(fields)]


def instance_rows(resource, queryset, fields=None) -> Iterator[list]:
    """One list of values per object, through ``resource.export_field`` cell by cell."""
    fields = resource.get_export_fields(fields)
    for instance in queryset.iterator(chunk_size=2000):
        yield [safe_text(resource.export_field(field, instance)) for field in fields]


# --- the compiled path -----------------------------------------------------------------------


def _guarded_text(value):
    """``Widget.render`` (text, ``""`` for nothing) and then the formula guard."""
    if value is None:
        return ""
    if value.__class__ is not str:
        value = force_str(value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _empty_or_guarded(value):
    """A foreign key's natural key: ``""`` when there is no related row, else guarded."""
    if value is None:
        return ""
    return safe_text(value)


def _iso_date(value):
    """:class:`scoping.resources.DateWidget`'s text: ISO, ``""`` for no date."""
    return value.isoformat() if value else ""


def _flag(value):
    """The stock ``BooleanWidget`` as text: ``"1"``, ``"0"`` or ``""``."""
    if value is True:
        return "1"
    if value is False:
        return "0"
    return ""


def _guard(converter):
    if converter is None:
        return safe_text

    def guarded(value):
        return safe_text(converter(value))

    return guarded


def _resolve(model, path: str):
    """The model field at the end of ``path`` and whether a nullable relation or field lies
    on the way. Only forward concrete fields; anything else cannot be read by values_list
    as ``Field.get_value`` reads it."""
    nullable = []
    field = None
    parts = path.split("__")
    for part in parts:
        if field is not None:
            if not (field.many_to_one or field.one_to_one) or field.auto_created:
                raise NotCompilable(f"{path}: {field.name} is not a forward relation")
            model = field.related_model
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            raise NotCompilable(f"{path}: {model.__name__} has no field {part}") from None
        if not field.concrete or field.many_to_many or field.one_to_many:
            raise NotCompilable(f"{path}: {part} is not a concrete field")
        if part != field.name:  # an attname such as committee_id
            raise NotCompilable(f"{path}: {part} is not a field name")
        nullable.append(field.null)
    return field, nullable


def _owner(cls, name):
    """The class of ``cls``'s MRO that defines ``name``."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass
    return None


NUMBER_FIELDS = (models.IntegerField, models.DecimalField, models.FloatField, models.AutoField)


def _foreign_key_column(model, attribute, target, converter_for_none_target):
    """A related row's natural key ``target`` (``code``, ``name``, ``title``...)."""
    relation, outer = _resolve(model, attribute)
    if not relation.is_relation:
        raise NotCompilable(f"{attribute} is not a relation")
    path = f"{attribute}__{target}"
    _field, whole = _resolve(model, path)
    inner = whole[len(outer) :]
    if any(outer) and any(inner):
        # None would mean either "no related row" ("") or "no key" (None): not one path.
        raise NotCompilable(f"{path}: an empty relation and an empty key look alike")
    return path, (converter_for_none_target if any(inner) else _empty_or_guarded)


def _widget_column(model, field, kwargs):
    """``(path, converter)`` for a field rendered by its widget (no dehydrate method)."""
    widget, attribute = field.widget, field.attribute
    if not attribute:
        raise NotCompilable(f"{field.column_name}: no attribute")
    render = type(widget).render
    owner = _owner(type(widget), "render")
    if "export_plan" in owner.__dict__:  # the widget's own set-based twin of render
        path, converter = widget.export_plan(attribute, **kwargs)
        _resolve(model, path)
        return path, _guard(converter)
    if render is ScopedForeignKeyWidget.render:
        if widget.field == "pk" or "__" in widget.field:
            raise NotCompilable(f"{attribute}: key {widget.field}")
        return _foreign_key_column(model, attribute, widget.field, safe_text)
    if render is ie_widgets.ForeignKeyWidget.render:
        if widget.key_is_id or widget.use_natural_foreign_keys or widget.field == "pk":
            raise NotCompilable(f"{attribute}: key {widget.field}")
        return _foreign_key_column(model, attribute, widget.field, safe_text)

    target, _nullable = _resolve(model, attribute)
    if target.is_relation:
        raise NotCompilable(f"{attribute}: a relation rendered by {type(widget).__name__}")
    native = kwargs.get("force_native_type")
    if render is ie_widgets.NumberWidget.render:
        if widget.coerce_to_string and not native:
            raise NotCompilable(f"{attribute}: numbers as localised text")
        return attribute, (None if isinstance(target, NUMBER_FIELDS) else safe_text)
    if native:
        raise NotCompilable(f"{attribute}: native values for {type(widget).__name__}")
    if render is ie_widgets.Widget.render or (
        render is ie_widgets.CharWidget.render and widget.coerce_to_string
    ):
        return attribute, _guarded_text
    if render is ie_widgets.BooleanWidget.render and widget.coerce_to_string:
        return attribute, _flag
    if render is DateWidget.render and isinstance(target, models.DateField):
        return attribute, _iso_date
    if render is ChoiceWidget.render:
        labels = {}
        for code, label in widget.choices:
            labels[code] = safe_text(str(label))

        def choice(value, labels=labels):
            try:
                return labels[value]
            except (KeyError, TypeError):
                return safe_text(str(value or ""))

        return attribute, choice
    raise NotCompilable(f"{attribute}: {type(widget).__module__}.{type(widget).__name__}")


@dataclass
class ExportPlan:
    """What :func:`compile_plan` made of a resource: headers, paths, converters."""

    headers: list[str]
    paths: tuple[str, ...]  # for values_list, each once
    columns: list[tuple[int, Callable | None]]  # per column: index into the tuple, converter

    def rows(self, queryset) -> Iterator[list]:
        """The rows of ``queryset``, one list of cell values each, streamed."""
        paths = self.paths
        offset = 0
        if queryset.query.distinct:  # DISTINCT over objects, not over the values shown
            paths, offset = ("pk", *paths), 1
        tuples = queryset.prefetch_related(None).values_list(*paths)
        columns = [(index + offset, converter) for index, converter in self.columns]
        if [index for index, _c in columns] == list(range(offset, offset + len(columns))):
            converters = [converter or _same for _i, converter in columns]
            for row in tuples.iterator(chunk_size=CHUNK_SIZE):
                if offset:
                    row = row[offset:]
                yield [convert(value) for convert, value in zip(converters, row, strict=True)]
        else:
            for row in tuples.iterator(chunk_size=CHUNK_SIZE):
                yield [
                    row[index] if converter is None else converter(row[index])
                    for index, converter in columns
                ]


def _same(value):
    return value


def _export_kwargs(resource) -> dict:
    """The kwargs the resource's ``export_field`` gives widgets, or NotCompilable."""
    kwargs = {}
    for klass in type(resource).__mro__:
        function = klass.__dict__.get("export_field")
        if function is None:
            continue
        if function is ScopedResource.export_field:
            return kwargs
        if not getattr(function, "passes_user_only", False):
            raise NotCompilable(f"{klass.__name__}.export_field")
        kwargs.setdefault("user", resource.user)
    raise NotCompilable(f"{type(resource).__name__} is not a ScopedResource")


def compile_plan(resource, fields=None) -> ExportPlan:
    """The set-based plan of ``resource``'s export (of the columns named in ``fields``, or
    all); :class:`NotCompilable` says why not."""
    model = resource._meta.model
    base_kwargs = _export_kwargs(resource)
    headers, paths, columns = [], [], []
    for field in resource.get_export_fields(fields):
        if type(field).export is not ie_fields.Field.export or (
            type(field).get_value is not ie_fields.Field.get_value
        ):
            raise NotCompilable(f"{field.column_name}: {type(field).__name__}")
        name = resource.get_field_name(field)
        method_name = field.get_dehydrate_method(name)
        if callable(method_name):
            raise NotCompilable(f"{name}: a dehydrate callable")
        if getattr(resource, method_name, None) is not None:
            owner = _owner(type(resource), method_name)
            twin = owner.__dict__.get(method_name + "_plan") if owner else None
            if twin is None:
                raise NotCompilable(f"{name}: {method_name} without {method_name}_plan")
            path, converter = twin(resource)
            _resolve(model, path)
            converter = _guard(converter)
        else:
            kwargs = dict(base_kwargs)
            if isinstance(field.widget, ie_widgets.NumberWidget):
                kwargs["force_native_type"] = True  # as ScopedResource.export_field does
            path, converter = _widget_column(model, field, kwargs)
        if path not in paths:
            paths.append(path)
        headers.append(str(field.column_name))
        columns.append((paths.index(path), converter))
    return ExportPlan(headers=headers, paths=tuple(paths), columns=columns)


def _scoped(resource, queryset):
    """The resource's queryset, or the caller's narrowed to the resource user's scope."""
    if queryset is None:
        return resource.get_queryset()
    return scope_queryset(queryset, resource.user)


def plan_for(resource, fields=None) -> ExportPlan | None:
    """The compiled plan, or ``None`` when the register needs the per-instance path."""
    try:
        return compile_plan(resource, fields)
    except NotCompilable:
        return None


def _rows(resource, queryset, plan, fields=None) -> Iterator[list]:
    if plan is not None:
        yield plan.headers
        yield from plan.rows(queryset)
    else:
        yield headers_of(resource, fields)
        yield from instance_rows(resource, queryset, fields)


def export_rows(resource, queryset=None, *, compiled: bool = True) -> Iterator[list]:
    """The header row, then one list of values per object, lazily.

    Compiled (values_list tuples and converters) when the resource compiles, otherwise per
    instance through ``export_field``; the rows are the same either way.
    """
    plan = plan_for(resource) if compiled else None
    return _rows(resource, _scoped(resource, queryset), plan)


def register_dataset(register: str, *, user, queryset=None, fields=None) -> tablib.Dataset:
    """The rows ``export_register`` writes, as a ``tablib.Dataset``: for the formats tablib
    serialises (the admin's .ods, .tsv, .json, .html). The whole table is in memory, as
    those formats need; .xlsx and .csv are streamed by :func:`export_register`."""
    resource = resource_class(register)(user=user)
    rows = _rows(resource, _scoped(resource, queryset), plan_for(resource, fields), fields)
    dataset = tablib.Dataset(headers=next(rows))
    for row in rows:
        dataset.append(row)
    return dataset


# --- writing ---------------------------------------------------------------------------------


def _cell(value):
    """A value openpyxl writes as it is: numbers as numbers, dates as dates, text as text."""
    if value is None or isinstance(value, str | bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    return str(value)


def _header_cells(sheet, header: list) -> list:
    """The header row as write-only cells in the workbooks' one header style."""
    from openpyxl.cell import WriteOnlyCell

    return [style_header(WriteOnlyCell(sheet, value=_cell(value))) for value in header]


def _template(title: str, header: list) -> bytes:
    """An openpyxl write-only workbook with the header row and the frozen header."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "Sheet1")[:31])
    sheet.freeze_panes = "A2"  # before the first row: write-only sheets write the view first
    sheet.append(_header_cells(sheet, header))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(rows, path: Path, *, title: str = "") -> int:
    """The header row and any rows, through openpyxl's ``write_only`` append."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "Sheet1")[:31])
    sheet.freeze_panes = "A2"  # before the first row: write-only sheets write the view first
    count = -1
    for row in rows:
        if count < 0:
            sheet.append(_header_cells(sheet, row))
        else:
            sheet.append([_cell(value) for value in row])
        count += 1
    book.save(path)
    return max(count, 0)


def write_xlsx_rows(header: list, rows: Iterable[list], path: Path, *, title: str = "") -> int:
    """The header and the rows (text, numbers or ``None``) to .xlsx, streamed; the count.

    openpyxl writes the package and the header; the data rows go straight into the
    worksheet's XML, by the one fast sheet writer (:func:`scoping.spreadsheets.write_sheet`).
    """
    return write_sheet(_template(title, header), path, rows, width=len(header), first=2)


def write_csv(rows, path: Path) -> int:
    count = -1
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:  # BOM for Excel
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(row)  # None is written as an empty field
            count += 1
    return max(count, 0)


def export_register(register: str, path, *, user, queryset=None, fields=None) -> int:
    """Writes ``register`` as ``user`` sees it to ``path`` (.xlsx or .csv); the row count.

    ``queryset`` (e.g. an admin list's filtered one) is narrowed to the user's scope too;
    ``fields`` (the names of the resource's fields, e.g. those ticked on the admin's export
    page) limits the columns, ``None`` for all. The admin's Export button writes its .xlsx
    and .csv files through here (:mod:`imports.admin_export`), as ``manage.py exportxlsx``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ExportError(
            _("Exports are written as .xlsx or .csv, not “%(suffix)s”.")
            % {"suffix": suffix or path.name}
        )
    if not path.parent.is_dir():
        raise ExportError(_("No such folder: %(path)s") % {"path": path.parent})
    try:
        resource = resource_class(register)(user=user)
    except ImportFileError as exc:
        raise ExportError(str(exc)) from exc
    queryset = _scoped(resource, queryset)
    plan = plan_for(resource, fields)
    title = str(resource._meta.model._meta.verbose_name_plural)
    try:
        if suffix == ".csv":
            return write_csv(_rows(resource, queryset, plan, fields), path)
        if plan is None:
            return write_xlsx(_rows(resource, queryset, None, fields), path, title=title)
        return write_xlsx_rows(plan.headers, plan.rows(queryset), path, title=title)
    except OSError as exc:
        raise ExportError(
            _("The file %(path)s cannot be written: %(reason)s")
            % {"path": path, "reason": exc.strerror or exc}
        ) from exc
