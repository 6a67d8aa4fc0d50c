"""Effective-dated standards: the one rule for when a standard is in force, and their base.

The budget is monthly, so standards take effect for whole months: a standard is in force
for a month when it took effect on or before the month's first day (README, "When a
standard applies"). One from 1 July applies from July; one from 15 July from August. The
standard in force on a day is the one in force for that day's month, so a question about a
single day (``PayStandard.in_force``, ``facilities.selectors.area_standard_on``) and the
budget's month-by-month calculation (``budgets.calculations``) give the same answer.

The base lives here, in ``communities`` (the lowest app that staffing, facilities and
budgets all import), beside the scoped queryset it extends.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from scoping.rules import ScopedQuerySet


def in_force_cutoff(on: datetime.date) -> datetime.date:
    """The latest effective date of a standard in force on ``on``: its month's first day."""
    return on.replace(day=1)


def is_in_force(effective_from: datetime.date, on: datetime.date) -> bool:
    """Whether a standard that took effect on ``effective_from`` is in force on ``on``."""
    return effective_from <= in_force_cutoff(on)


def first_month_in_force(day: datetime.date) -> datetime.date:
    """The first month-start on which a standard that took effect on ``day`` is in force
    (the first month-start ``m`` with ``is_in_force(day, m)``)."""
    if day.day == 1:
        return day
    if day.month == 12:
        return datetime.date(day.year + 1, 1, 1)
    return datetime.date(day.year, day.month + 1, 1)


class EffectiveDatedQuerySet(ScopedQuerySet):
    def in_force(self, on: datetime.date):
        """The rows that took effect by ``on`` (see :func:`is_in_force`)."""
        return self.filter(effective_from__lte=in_force_cutoff(on))

    def latest_in_force(self, on: datetime.date):
        """The row in force on ``on``: the latest that took effect by then (None if none)."""
        return self.in_force(on).order_by("-effective_from").first()


def one_per_date(*key: str, message=None) -> models.UniqueConstraint:
    """The constraint every effective-dated model has: one row per ``key`` and date.

    ``message`` replaces Django's "... with this ... already exists." A constraint on the
    date alone reports on the date's field, like ``unique=True`` did.
    """
    options = {}
    if message is not None:
        options["violation_error_message"] = message
        if not key:
            options["violation_error_code"] = "unique"
    return models.UniqueConstraint(
        fields=[*key, "effective_from"], name="%(app_label)s_%(class)s_one_per_date", **options
    )


class EffectiveDated(models.Model):
    """A standard from a date on; a later row supersedes it from its date (the old one stays,
    so that past years recompute with their standards). Not scoped to a street."""

    effective_from = models.DateField(_("effective from"))

    street_scope = None
    is_standard = True

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-effective_from"]
        constraints = [one_per_date()]
