"""Optimistic locking of change forms: no lost updates.

A change form carries a *version token*: for each stored field of the row (many-to-many
fields too), a short hash of its value as the page showed it, signed so that it cannot be
forged. What holds:

- **A save is compared with what the user saw.** On save the row is read again under a row
  lock (``SELECT ... FOR UPDATE`` inside the admin's transaction) and hashed the same way.
  If no field differs from the token, the save goes through. If any does, someone else
  changed the row in between and the save is refused (:func:`check`), nothing written.
- **What the user touched is known.** The value the user submitted for each form field is
  hashed the same way, as a model value (after the form's cleaning and conversion), and
  compared with the token: equal means the user left that field as they saw it.
- **The refused page loses nothing.** A field someone else changed that the user did not
  touch is shown with its current (stored) value, so the other person's edit is kept, not
  reverted by saving again. A field both changed keeps the user's value in the input, with
  the current value noted beside it (:func:`conflict_note`); the message above the form
  names every field someone else changed and its current value (:func:`stale_message`).
- **The refused page carries the current token**, which is exactly what that page shows
  as the baseline: the current values, either in the inputs (untouched fields) or beside
  them (fields both changed). Saving it again therefore overrides only what the user has
  seen, and a change landing in between is detected again.
- **A POST without a readable token** (missing, forged, from a script or an old copy of a
  page) is refused the same way: as nothing is known of what the user saw, every field whose
  input differs from the stored value gets the current value noted beside it.

Add forms carry no token; bulk actions do not go through forms and are not checked here.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core import signing
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

VERSION_FIELD = "_audit_version"
_SALT = "audit.locking.version"
_ROW = "@row"  # no field is named so: the row a token belongs to


def _stored_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _m2m_fields(model) -> list[models.Field]:
    return list(model._meta.many_to_many)


def _normal(value):
    """One representation per value: a form gives ``Decimal('12.5')`` where the database
    gives ``Decimal('12.50')``, and a datetime in the local zone where it gives UTC."""
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return value.normalize()
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC)
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def _digest(value) -> str:
    return hashlib.sha256(repr(_normal(value)).encode()).hexdigest()[:12]


def _m2m_digest(objects) -> str:
    return _digest(sorted(getattr(o, "pk", o) for o in objects))


def field_digests(obj) -> dict[str, str]:
    digests = {f.name: _digest(f.value_from_object(obj)) for f in _stored_fields(type(obj))}
    for field in _m2m_fields(type(obj)):
        digests[field.name] = _m2m_digest(getattr(obj, field.name).values_list("pk", flat=True))
    return digests


def submitted_digests(form) -> dict[str, str | None]:
    """What the user submitted on a model form, per model field of the form, hashed like
    :func:`field_digests` (model values, so like is compared with like). Call after the
    form's ``full_clean``: ``form.instance`` then holds the cleaned values. ``None`` for a
    field whose input did not clean (unknown: it counts as touched)."""
    model = type(form.instance)
    digests: dict[str, str | None] = {}
    for field in (*_stored_fields(model), *_m2m_fields(model)):
        if field.name not in form.fields:
            continue
        if field.name not in form.cleaned_data:
            digests[field.name] = None
        elif field.many_to_many:
            digests[field.name] = _m2m_digest(form.cleaned_data[field.name] or ())
        else:
            digests[field.name] = _digest(field.value_from_object(form.instance))
    return digests


def _row(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def version_token(obj) -> str:
    """The token a change form of ``obj`` carries (``obj`` as stored)."""
    return signing.dumps({_ROW: _row(obj), **field_digests(obj)}, salt=_SALT, compress=True)


def read_token(token: str | None, obj) -> dict[str, str] | None:
    """The field digests in ``token``, if it is a token of ``obj``'s row (and unforged)."""
    if not token:
        return None
    try:
        seen = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(seen, dict) or seen.pop(_ROW, None) != _row(obj):
        return None
    return seen


def locked_current(obj):
    """The row of ``obj`` as stored now, locked until the end of the transaction."""
    model = type(obj)
    return model._base_manager.select_for_update().filter(pk=obj.pk).first()


def _fields_by_name(model) -> dict[str, models.Field]:
    return {f.name: f for f in (*_stored_fields(model), *_m2m_fields(model))}


@dataclass
class Conflict:
    """Why a save was refused, and how the page shown again is to be prepared."""

    current: models.Model
    #: False: the token was missing or unreadable (nothing known of what the user saw).
    token_valid: bool
    #: The fields someone else changed since the page was rendered (valid token only).
    changed: list[models.Field] = dataclass_field(default_factory=list)
    #: Changed by someone else, not by the user: show the current value in the input.
    refresh: list[models.Field] = dataclass_field(default_factory=list)
    #: The user's input differs from a value the user has not seen: keep the input, show
    #: the current value beside it.
    both: list[models.Field] = dataclass_field(default_factory=list)


def check(token: str | None, current, submitted: dict[str, str | None]) -> Conflict | None:
    """Compare a save with the stored row ``current``. ``submitted`` is
    :func:`submitted_digests` of the form. ``None``: the save may go through."""
    fields = _fields_by_name(type(current))
    now = field_digests(current)
    seen = read_token(token, current)
    if seen is None:
        both = [fields[name] for name, mine in submitted.items() if mine != now.get(name)]
        return Conflict(current, token_valid=False, both=both)
    changed = [fields[name] for name, digest in now.items() if seen.get(name) != digest]
    if not changed:
        return None
    conflict = Conflict(current, token_valid=True, changed=changed)
    for field in changed:
        if field.name not in submitted:
            continue  # not on the form: the save leaves it as stored
        mine = submitted[field.name]
        if mine == seen.get(field.name):
            conflict.refresh.append(field)  # the user did not touch it
        elif mine != now[field.name]:
            conflict.both.append(field)  # (both made the same change: nothing to show)
    return conflict


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


def stale_message(current, fields, both=()) -> str:
    """The message above a refused form: the ``fields`` someone else changed and their
    current values; ``both``, those the user changed too (shown side by side)."""
    changes = "; ".join(
        _("%(field)s (now: %(value)s)")
        % {"field": capfirst(field.verbose_name), "value": display_value(current, field)}
        for field in fields
    )
    if both:
        message = _(
            "Someone else changed this record after you opened it: %(changes)s. Nothing has "
            "been saved. Fields you had not changed now show the current values. Where you "
            "changed the same field, your value is still in the input and the current value "
            "is shown beside it. Check the form and save again to keep it as shown."
        )
    else:
        message = _(
            "Someone else changed this record after you opened it: %(changes)s. Nothing has "
            "been saved. Fields you had not changed now show the current values; your own "
            "changes are still below. Check the form and save again to keep it as shown."
        )
    return message % {"changes": changes}


def no_token_message() -> str:
    return _(
        "This form cannot be checked against changes made since it was opened: its version "
        "mark is missing or invalid (an old page, or not sent from this site). Nothing has "
        "been saved; your input is still below. Where it differs from the stored record, the "
        "current value is shown beside the field. Check the form and save again to keep it "
        "as shown."
    )


def conflict_note(current, field) -> str:
    """The note beside a field whose input differs from a current value the user had not
    seen: the user's value stays in the input."""
    return _(
        "Current value: %(value)s. Your value is kept in the input; saving again stores it."
    ) % {"value": display_value(current, field)}
