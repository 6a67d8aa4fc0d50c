"""Downloadable import templates: one workbook per register, made for the user who asks.

Sheet 1 has the header row (frozen, sized), one example row (the first row the user may see,
or a made-up one), and drop-down lists for choice columns and for the committees the user
may use. Sheet 2 explains each column. Served by ``GET /imports/<register>/template.xlsx``
and written by ``manage.py importtemplate REGISTER --output FILE.xlsx --user USERNAME``.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from import_export import widgets
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from scoping.resources import ChoiceWidget, DateWidget, ScopedForeignKeyWidget
from scoping.rules import scope_queryset
from scoping.spreadsheets import safe_text, style_header

from .registry import resource_class


def _explain(field) -> str:
    widget = field.widget
    if isinstance(widget, ChoiceWidget):
        return _("One of: %(choices)s.") % {
            "choices": "、".join(str(label) for _c, label in widget.choices)
        }
    if isinstance(widget, ScopedForeignKeyWidget):
        return _("A %(model)s, by %(keys)s, within your scope.") % {
            "model": widget.model._meta.verbose_name,
            "keys": "、".join((widget.field, *widget.alternatives)),
        }
    if isinstance(widget, DateWidget | widgets.DateWidget):
        return _("A date: an Excel date, 2006-07-01 or 2006年7月1日.")
    if isinstance(widget, widgets.IntegerWidget):
        return _("A whole number.")
    if isinstance(widget, widgets.NumberWidget):
        return _("A number.")
    if isinstance(widget, widgets.BooleanWidget):
        return _("是 or 否 (yes or no).")
    return _("Text.")


def template_workbook(*, register: str, user) -> bytes:
    """The template of ``register`` for ``user``, as .xlsx bytes."""
    resource = resource_class(register)(user=user)
    fields = [f for f in resource.get_export_fields() if not f.readonly]
    key_attributes = {resource.fields[name].attribute for name in resource.get_import_id_fields()}
    example = resource.get_queryset()[:1]
    example_row = resource.export(queryset=example) if example else None

    book = Workbook()
    sheet = book.active
    sheet.title = _("Data")[:31]
    headers = [str(f.column_name) for f in fields]
    sheet.append(headers)
    if example_row is not None and len(example_row):
        values = dict(zip(example_row.headers, example_row[0], strict=False))
        sheet.append([values.get(h, "") for h in headers])
    for cell in sheet[1]:
        style_header(cell)
    sheet.freeze_panes = "A2"

    lists = book.create_sheet(_("Lists")[:31])
    lists.sheet_state = "hidden"
    listed: dict[tuple, list] = {}  # (model, field) → the user's values, read once

    def scoped_values(widget):
        key = (widget.model, widget.field)
        if key not in listed:
            queryset = scope_queryset(widget.model._default_manager.all(), user)
            listed[key] = [
                safe_text(value)
                for value in queryset.order_by(widget.field).values_list(widget.field, flat=True)
            ]
        return listed[key]

    list_column = 0
    for index, fld in enumerate(fields, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(headers[index - 1]) * 2 + 4))
        widget = fld.widget
        options = None
        if isinstance(widget, ChoiceWidget):
            options = [str(label) for _c, label in widget.choices]
        elif isinstance(widget, ScopedForeignKeyWidget) and widget.listed:
            options = scoped_values(widget)
        if not options:
            continue
        list_column += 1
        list_letter = get_column_letter(list_column)
        for row, option in enumerate(options, start=1):
            lists.cell(row=row, column=list_column, value=option)
        validation = DataValidation(
            type="list",
            formula1=f"'{lists.title}'!${list_letter}$1:${list_letter}${len(options)}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not in the list"),
            error=_("Choose a value from the list."),
        )
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
        required, explanation = template_note(fld) or (required, _explain(fld))
        help_sheet.append([str(fld.column_name), str(required), str(explanation)])
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
