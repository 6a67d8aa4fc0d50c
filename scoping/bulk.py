"""Many rows written in one multi-row INSERT, each column's conversion decided once.

Django's ``bulk_create`` goes through the insert compiler, which asks every field for every
value (``pre_save`` → ``get_db_prep_save`` → ``get_db_prep_value``, 7 calls a cell): at
10,000 rows that is most of an import's writing (issue 17). Here each column decides once
whether its values need converting at all (text, numbers, booleans, keys and, on
PostgreSQL, dates go to the driver as they are) and whether its field computes its value
on save (``auto_now``, a name's pinyin sort key); the rows go in one statement per batch.

Two users: :func:`insert_rows` (an import's new rows, their ids read back, as
``bulk_create`` does) and :func:`audit.history.write_history` (their history rows).
"""

from __future__ import annotations

import functools
import io

from django.db import connections
from django.db.models import Field

# Field types whose Python value the database driver takes as it is (no per-value conversion).
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "IntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "CharField",
    "TextField",
    "BooleanField",
}


def db_converter(field, connection):
    """How a value of ``field`` goes to the database: ``None`` when the driver takes the
    Python value as it is, else the field's own ``get_db_prep_save``. Decided once per
    column, not per value."""
    kind = _internal_type(field)
    if kind in PLAIN_TYPES or (kind == "DateField" and connection.vendor == "postgresql"):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _copy_text(value) -> str:
    """``value`` as PostgreSQL's COPY text format writes it."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


# Field types whose database-ready values COPY's text format writes as ``str()`` does.
COPY_TYPES = PLAIN_TYPES | {"DateField", "DateTimeField", "DecimalField", "UUIDField"}


def _copy(connection, table: str, columns: list[str], rows: list[list]) -> None:
    """``rows`` sent to PostgreSQL with one COPY … FROM STDIN (text format): no statement
    to parse with a parameter per value."""
    quote = connection.ops.quote_name
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join([_copy_text(value) for value in row]))
        buffer.write("\n")
    buffer.seek(0)
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)


def _internal_type(field) -> str:
    return (field.target_field if field.is_relation else field).get_internal_type()


def insert_values(connection, table: str, fields: list, rows: list[list], returning=None):
    """``rows`` (lists of database-ready values, one per field of ``fields``) inserted into
    ``table`` in as few multi-row INSERTs as the database's parameter limit allows (at most
    1,000 rows each); on PostgreSQL, rows whose ids are not needed and whose fields' values
    are all plain go in one COPY. With ``returning`` (a column), the inserted rows' values of
    that column, in the rows' order."""
    if not rows:
        return []
    columns = [f.column for f in fields]
    if (
        returning is None
        and connection.vendor == "postgresql"
        and all(_internal_type(f) in COPY_TYPES for f in fields)
    ):
        _copy(connection, table, columns, rows)
        return []
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote(returning)}" if returning else ""
    size = max(1, min(1000, connection.ops.bulk_batch_size(columns, rows)))
    returned = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            sql = head + ", ".join([one] * len(batch)) + tail
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                returned.extend(row[0] for row in cursor.fetchall())
    return returned


@functools.cache
def relation_fields(model) -> tuple:
    """The model's concrete foreign keys (asked per row by the import: listed once)."""
    return tuple(f for f in model._meta.concrete_fields if f.is_relation)


def _computes_on_save(field) -> bool:
    """Whether ``field`` computes its value when the row is written (its class overrides
    ``pre_save``: ``auto_now``, a pinyin sort key), rather than taking the attribute."""
    return type(field).pre_save is not Field.pre_save


def insert_rows(model, objs: list, *, using: str = "default") -> None:
    """``objs`` (new, unsaved rows of ``model``) written as ``bulk_create`` writes them —
    the foreign keys to rows saved since they were set taken from those rows, every field's
    ``pre_save`` that computes a value run, each row's id read back and the row marked saved
    — without the insert compiler's calls per cell. No signals, as ``bulk_create``.

    ``bulk_create`` itself where this cannot read the ids back (a database without
    ``RETURNING`` for many rows), for models with parents, and for rows that carry their
    own id."""
    if not objs:
        return
    connection = connections[using]
    meta = model._meta
    if (
        meta.parents
        or not connection.features.can_return_rows_from_bulk_insert
        or any(obj.pk is not None for obj in objs)
    ):
        model._default_manager.using(using).bulk_create(objs, batch_size=1000)
        return
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    attnames = [f.attname for f in fields]
    converters = [db_converter(f, connection) for f in fields]
    computed = [(i, f) for i, f in enumerate(fields) if _computes_on_save(f)]
    relations = relation_fields(model)
    rows = []
    for obj in objs:
        for field in relations:
            # As Model._prepare_related_fields_for_save: a related row saved after it was
            # assigned gives its id now; one still unsaved is an error, as in bulk_create.
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(
                            f"bulk_create() prohibited to prevent data loss due to unsaved "
                            f"related object '{field.name}'."
                        )
                    setattr(obj, field.attname, related.pk)
        values = [getattr(obj, name) for name in attnames]
        for index, field in computed:
            values[index] = field.pre_save(obj, True)
        for index, convert in enumerate(converters):
            if convert is not None:
                values[index] = convert(values[index])
        rows.append(values)
    ids = insert_values(
        connection, meta.db_table, fields, rows, returning=meta.pk.column
    )
    pk_attname = meta.pk.attname
    for obj, pk in zip(objs, ids, strict=True):
        setattr(obj, pk_attname, pk)
        obj._state.adding = False
        obj._state.db = using
