"""Writing checked rows: in bulk, each with its history row (who, why), rows and history
each in one multi-row insert per batch (:func:`scoping.bulk.insert_rows`,
:func:`audit.history.write_history`), rows another row of the same file names written
first (:func:`write_rows`). Called by
:func:`imports.services.import_file` inside its transaction, only when no row has an error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from audit.data_version import data_changed
from audit.history import write_history
from scoping.bulk import insert_rows
from scoping.sorting import with_sort_keys

from .checking import unsaved_references

if TYPE_CHECKING:
    from .checking import Pending

WRITE_BATCH = 1000


def _in_order(objs):
    """``objs`` in batches such that a row another row names is written first."""
    remaining = list(objs)
    while remaining:
        ready = [o for o in remaining if not unsaved_references(o)]
        if not ready:  # a cycle inside the file; the database will say which rows
            ready = remaining
        yield ready
        ready_ids = {id(o) for o in ready}
        remaining = [o for o in remaining if id(o) not in ready_ids]


def write_rows(model, pending: list[Pending], *, user, reason: str, progress=None) -> None:
    """Writes the checked rows in bulk, each with its history row (who, why), and says that
    the registers changed (bulk writes send no save signals; the cached report summaries
    and the dashboard are keyed on the data version, audit/data_version.py)."""
    if pending:
        data_changed()

    history_user = user if isinstance(user, get_user_model()) else None
    total = len(pending)
    creates = [item.instance for item in pending if item.new]
    updates = [item for item in pending if not item.new]
    written = 0
    for level in _in_order(creates):
        for start in range(0, len(level), WRITE_BATCH):
            batch = level[start : start + WRITE_BATCH]
            # As bulk_create, without its insert compiler's calls per cell: the foreign keys
            # to rows written by an earlier batch taken, every row's id read back.
            insert_rows(model, batch)
            write_history(model, batch, update=False, user=history_user, reason=reason)
            written += len(batch)
            if progress is not None:
                progress(total + written, total * 2)
    by_fields: dict[tuple, list] = {}
    for item in updates:
        names = tuple(model._meta.get_field(a).name for a in item.fields) if item.fields else ()
        by_fields.setdefault(names or ("pk",), []).append(item.instance)
    for names, objs in by_fields.items():
        if names == ("pk",):
            continue
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_update")
        # bulk_create fills a name's pinyin sort key itself (the field's pre_save);
        # bulk_update does not, so a changed name brings its key along.
        names = with_sort_keys(model, names, objs)
        model._default_manager.bulk_update(objs, names, batch_size=WRITE_BATCH)
        write_history(model, objs, update=True, user=history_user, reason=reason)
