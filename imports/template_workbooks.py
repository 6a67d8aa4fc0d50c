"""Downloadable import templates: one workbook per register, made for the user who asks.

Sheet 1 has the header row (the columns' names in the user's language, frozen, sized), one
example row (the first row the user may see, written as the import reads it back: 是/否,
dates as 2006-07-01, a committee as its drop-down offers it), and drop-down lists for choice
columns and for the committees, streets and positions the user may use (南湖东路社区
（320105001001）, which the import reads back, as it reads a bare code or name). Sheet 2
explains each column in words, never a field's name. Served by
``GET /imports/<register>/template.xlsx`` and written by
``manage.py importtemplate REGISTER --output FILE.xlsx --user USERNAME``.
"""

from __future__ import annotations

import io

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from import_export import widgets
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from scoping.resources import ChoiceWidget, DateWidget, ScopedForeignKeyWidget
from scoping.spreadsheets import safe_text, style_header

from .registry import resource_class


def _or_list(names) -> str:
    """代码、名称或简称: the last of several alternatives joined by 或."""
    names = [str(n) for n in names]
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s or %(last)s") % {"names": "、".join(names[:-1]), "last": names[-1]}


def _explain(field, model) -> str:
    """What the template's help sheet says of a column, in words for people (the columns'
    Chinese names, never a field's name)."""
    widget = field.widget
    explain = getattr(widget, "explain", None)
    if explain is not None:
        return explain()
    if isinstance(widget, ChoiceWidget):
        return _("One of: %(choices)s.") % {
            "choices": "、".join(str(label) for _c, label in widget.choices)
        }
    if isinstance(widget, ScopedForeignKeyWidget):
        keys = _or_list(widget.key_names())
        if widget.listed and len(widget.label) > 1:
            return _(
                "A %(model)s within your scope: choose it from the list (name and code), or "
                "write its %(keys)s."
            ) % {"model": widget.model._meta.verbose_name, "keys": keys}
        if widget.listed:
            return _("A %(model)s: choose it from the list, or write its %(keys)s.") % {
                "model": widget.model._meta.verbose_name,
                "keys": keys,
            }
        return _("A %(model)s within your scope: write its %(keys)s.") % {
            "model": widget.model._meta.verbose_name,
            "keys": keys,
        }
    if isinstance(widget, DateWidget | widgets.DateWidget):
        return _("A date: an Excel date, 2006-07-01 or 2006年7月1日.")
    if field.attribute == model._meta.pk.attname:
        return _(
            "The row's number, as an export gives it: empty for a new row, the number of an "
            "existing row to change it."
        )
    if isinstance(widget, widgets.IntegerWidget):
        return _("A whole number.")
    if isinstance(widget, widgets.NumberWidget):
        return _("A number.")
    if isinstance(widget, widgets.BooleanWidget):
        return _("是 or 否 (yes or no).")
    try:
        help_text = model._meta.get_field(field.attribute).help_text
    except (FieldDoesNotExist, TypeError):
        help_text = ""
    return str(help_text) if help_text else _("Text.")


def template_fields(resource) -> tuple[list, dict]:
    """The template's columns: those the import writes, with the columns some of them are
    read with (a person's name and birth date beside a masked ID-card number, a class's
    date beside its title), and what the help sheet says of the latter."""
    read_with: dict[str, str] = {}
    for fld in resource.get_export_fields():
        reads = getattr(fld.widget, "reads_columns", None)
        if reads is not None and not fld.readonly:
            read_with.update(reads())
    fields = [
        f for f in resource.get_export_fields() if not f.readonly or str(f.column_name) in read_with
    ]
    return fields, read_with


def _example_row(resource, fields, instance) -> list:
    """The example row: the first row the user may see, each cell as the import reads it
    back, a listed foreign key as its drop-down offers it (南湖东路社区（320105001001）)."""
    values = []
    for fld in fields:
        widget = fld.widget
        if isinstance(widget, ScopedForeignKeyWidget) and widget.listed:
            values.append(safe_text(widget.option_label(fld.get_value(instance))))
        else:
            values.append(resource.export_field(fld, instance))
    return values


def template_workbook(*, register: str, user) -> bytes:
    """The template of ``register`` for ``user``, as .xlsx bytes."""
    resource = resource_class(register)(user=user)
    model = resource._meta.model
    fields, read_with = template_fields(resource)
    key_attributes = {resource.fields[name].attribute for name in resource.get_import_id_fields()}
    example = resource.get_queryset().first()

    book = Workbook()
    sheet = book.active
    sheet.title = _("Data")[:31]
    headers = [str(f.column_name) for f in fields]
    sheet.append(headers)
    if example is not None:
        sheet.append(_example_row(resource, fields, example))
    for cell in sheet[1]:
        style_header(cell)
    sheet.freeze_panes = "A2"

    lists = book.create_sheet(_("Lists")[:31])
    lists.sheet_state = "hidden"
    listed: dict[tuple, list] = {}  # the user's options of a related model, read once

    def scoped_values(widget):
        key = (widget.model, widget.label, widget.order_by)
        if key not in listed:
            listed[key] = [safe_text(option) for option in widget.options(user)]
        return listed[key]

    list_column = 0
    for index, fld in enumerate(fields, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(headers[index - 1]) * 2 + 4))
        widget = fld.widget
        options = None
        if isinstance(widget, ChoiceWidget):
            options = [str(label) for _c, label in widget.choices]
            validation = DataValidation(
                type="list",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Not in the list"),
                error=_("Choose a value from the list."),
            )
        elif isinstance(widget, ScopedForeignKeyWidget) and widget.listed:
            options = scoped_values(widget)
            sheet.column_dimensions[letter].width = 32
            # A warning, not a refusal: the import also takes a code or a name typed in.
            validation = DataValidation(
                type="list",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=_("Not in the list"),
                error=_("Choose from the list, or write the code or the name exactly."),
            )
        if not options:
            continue
        list_column += 1
        list_letter = get_column_letter(list_column)
        for row, option in enumerate(options, start=1):
            lists.cell(row=row, column=list_column, value=option)
        validation.formula1 = f"'{lists.title}'!${list_letter}$1:${list_letter}${len(options)}"
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}5000")

    help_sheet = book.create_sheet(_("Columns")[:31])
    help_sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in help_sheet[1]:
        style_header(cell)
    # A resource may say more of a column than its widget can (``template_note(field)``:
    # (required, what to write), or None), e.g. two key columns of which one is filled in.
    template_note = getattr(resource, "template_note", lambda fld: None)
    for fld in fields:
        required = _("Yes (key)") if fld.attribute in key_attributes else ""
        column = str(fld.column_name)
        note = template_note(fld)
        if note:
            required, explanation = note
        else:
            explanation = (read_with.get(column) if fld.readonly else None) or _explain(fld, model)
        help_sheet.append([column, str(required), str(explanation)])
    help_sheet.append([])
    help_sheet.append(
        [_("Rows are all imported or none; every error is listed with its row and column.")]
    )
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 12
    help_sheet.column_dimensions["C"].width = 70
    help_sheet.freeze_panes = "A2"

    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
