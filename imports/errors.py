"""What goes wrong with an import: a file that cannot be imported at all
(:class:`ImportFileError`), a user who may not import (:class:`ImportNotAllowed`), and the
error of one row of a file (:class:`RowError`), as every caller shows them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


class ImportFileError(ValueError):
    """The file cannot be imported at all (size, format, missing columns); nothing written."""


class ImportNotAllowed(ImportFileError):
    """The user may not import into this register; nothing was read or written."""


@dataclass
class RowError:
    row: int  # as Excel shows it: the header is row 1 (or wherever the header row is)
    column: str
    message: str
    sheet: str = ""

    def __str__(self):
        values = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.sheet and self.column:
            return _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(message)s") % values
        if self.sheet:
            return _("Sheet “%(sheet)s”, row %(row)s: %(message)s") % values
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % values
        return _("Row %(row)s: %(message)s") % values
