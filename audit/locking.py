"""Optimistic locking of change forms: no lost updates.

A change form carries a *version token*: for each stored field of the row, a short hash of
its value when the form was rendered, signed so that it cannot be forged. On save the row is
read again under a row lock (``SELECT ... FOR UPDATE`` inside the admin's transaction) and
hashed the same way; a field whose hash differs was changed by someone else in between, and
the save is refused with those fields named and their current values shown, the user's input
kept on the page. The refused page carries the current token, so saving again — after
looking — keeps the user's values knowingly.
"""

from __future__ import annotations

import hashlib

from django.core import signing
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

VERSION_FIELD = "_audit_version"
_SALT = "audit.locking.version"


def _stored_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _m2m_fields(model) -> list[models.Field]:
    return list(model._meta.many_to_many)


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:12]


def field_digests(obj) -> dict[str, str]:
    digests = {f.name: _digest(f.value_from_object(obj)) for f in _stored_fields(type(obj))}
    for field in _m2m_fields(type(obj)):
        pks = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        digests[field.name] = _digest(pks)
    return digests


def version_token(obj) -> str:
    """The token a change form of ``obj`` carries (``obj`` as stored)."""
    return signing.dumps(field_digests(obj), salt=_SALT, compress=True)


def read_token(token: str) -> dict[str, str] | None:
    try:
        return signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None


def locked_current(obj):
    """The row of ``obj`` as stored now, locked until the end of the transaction."""
    model = type(obj)
    return model._base_manager.select_for_update().filter(pk=obj.pk).first()


def changed_fields(token: str, current) -> list[models.Field]:
    """The fields of ``current`` (the stored row) that differ from what ``token`` saw.
    A token that cannot be read counts as every field changed."""
    seen = read_token(token)
    now = field_digests(current)
    model = type(current)
    fields = {f.name: f for f in (*_stored_fields(model), *_m2m_fields(model))}
    if seen is None:
        return list(fields.values())
    return [fields[name] for name, digest in now.items() if seen.get(name) != digest]


def display_value(obj, field) -> str:
    if field.many_to_many:
        return "、".join(str(o) for o in getattr(obj, field.name).all()) or "—"
    if field.choices:
        value = getattr(obj, f"get_{field.name}_display")()
    elif field.is_relation:
        value = getattr(obj, field.name)
    else:
        value = field.value_from_object(obj)
    return "—" if value in (None, "") else str(value)


def stale_message(current, fields) -> str:
    changes = "; ".join(
        _("%(field)s (now: %(value)s)")
        % {"field": capfirst(field.verbose_name), "value": display_value(current, field)}
        for field in fields
    )
    return _(
        "Someone else changed this record after you opened it: %(changes)s. Your input has "
        "not been saved; it is still below. Check it against the current values and save "
        "again to keep it."
    ) % {"changes": changes}
