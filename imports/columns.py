"""Matching a file's header row to a register's columns: every accepted spelling of a column
(Chinese, English, the field's name; :func:`normalise_header`), and the sheet's rows as dicts
keyed by the resource's own column names (:func:`build_rows`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _

from .errors import ImportFileError

if TYPE_CHECKING:
    from .reading import Sheet


_SPACES = re.compile(r"\s+")


def normalise_header(text) -> str:
    text = str(text or "").strip().lower()
    if text.isascii() and text.isalnum():
        return text  # a code or a number: nothing to fold (the key cells of every row)
    text = text.replace("（", "(").replace("）", ")").replace("²", "2").replace("：", ":")
    text = _SPACES.sub(" ", text).rstrip("*:").strip()
    return text


def column_aliases(resource) -> dict[str, str]:
    """Every accepted spelling of each column (normalised) → the resource's column name.

    A column may be headed by its name in Chinese or English (the translated and the source
    ``column_name``) or by the field's own name.
    """
    aliases: dict[str, str] = {}
    for name, fld in resource.fields.items():
        canonical = str(fld.column_name)
        spellings = [canonical, name, fld.attribute or ""]
        for language in ("zh-hans", "en"):
            with translation.override(language):
                spellings.append(str(fld.column_name))
        for spelling in spellings:
            key = normalise_header(spelling)
            if key:
                aliases.setdefault(key, canonical)
    return aliases


def build_rows(resource, sheet: Sheet, aliases: dict) -> tuple[list[dict], list[str]]:
    """The sheet's rows as dicts keyed by the resource's own column names; notices for
    ignored columns."""
    notices = []
    positions: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        canonical = aliases.get(normalise_header(header))
        if canonical is None:
            if header:
                notices.append(
                    _("The column “%(column)s” is not part of this register and was ignored.")
                    % {"column": header}
                )
            continue
        if canonical in positions:
            raise ImportFileError(_("The column “%(column)s” appears twice.") % {"column": header})
        positions[canonical] = index
    # The key columns must be there; any other column left out is left as it is (a file of
    # codes and households updates the households alone).
    required = [str(resource.fields[name].column_name) for name in resource.get_import_id_fields()]
    missing = [name for name in required if name not in positions]
    if missing or not positions:
        raise ImportFileError(
            _("The file lacks the column(s): %(columns)s.")
            % {"columns": "、".join(missing or required)}
        )
    items = list(positions.items())
    rows = [{name: row[i] for name, i in items} for row in sheet.rows]
    # Rows that belong to the register's printed form rather than its data (the grid
    # workbook's total and signature lines): the resource says which (``is_form_row``);
    # they are left out, from the sheet's rows and their numbers alike.
    is_form_row = getattr(resource, "is_form_row", None)
    if is_form_row is not None:
        kept = [index for index, row in enumerate(rows) if not is_form_row(row)]
        if len(kept) != len(rows):
            rows = [rows[index] for index in kept]
            sheet.rows = [sheet.rows[index] for index in kept]
            sheet.numbers = [sheet.numbers[index] for index in kept]
    return rows, notices
