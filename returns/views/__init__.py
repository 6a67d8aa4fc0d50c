"""Quarterly-return pages: the street's grid, the clerk's review, completeness, history,
the grid's workbook and its import; a module each, sharing :mod:`.common`.

Every page reads through :mod:`scoping.rules` with the signed-in user (another
street's ids are a 404) and changes returns only through :mod:`returns.workflow`.
"""

from .common import return_index
from .completeness import completeness_page, completeness_remind, return_history
from .grid import return_grid
from .review import return_review
from .workbook import grid_import, grid_workbook

__all__ = [
    "completeness_page",
    "completeness_remind",
    "grid_import",
    "grid_workbook",
    "return_grid",
    "return_history",
    "return_index",
    "return_review",
]
