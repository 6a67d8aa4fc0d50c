"""The facilities register: premises, the function standard and compliance, the area standard.

- :class:`Premises`: an office or activity premises of a committee, including premises that
  exist only on a plan, were never built, or were diverted to other use by a developer (the
  bureau must show those too). Street staff keep their own street's premises.
- :class:`FunctionStandardItem`: the items of the mandatory function standard
  "一校两站三栏四室六有六统一", kept as editable data (a standard: administrators change it).
- :class:`Compliance`: whether a committee met an item in a year (a clerk's register).
- :class:`AreaStandard`: the minimum area of a committee's premises, effective-dated.

Reads (shares, missing lists, shortfalls) live in :mod:`facilities.selectors`.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communities.effective import EffectiveDated, one_per_date
from communities.models import Committee
from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from scoping.rules import ScopedQuerySet


class PremisesUse(models.TextChoices):
    OFFICE = "office", _("Office")
    ACTIVITY = "activity", _("Activity")
    BOTH = "both", _("Office and activity")


class Tenure(models.TextChoices):
    OWNED = "owned", _("Owned")
    RENTED = "rented", _("Rented")
    ESTATE = "estate", _("Provided with a residential estate")
    BORROWED = "borrowed", _("Borrowed")


class PremisesStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    PLANNED = "planned", _("Planned (not yet built)")
    NEVER_BUILT = "never_built", _("Never built")
    DIVERTED = "diverted", _("Diverted to other use")


def in_use_q(day: datetime.date, prefix: str = "") -> Q:
    """The condition "in use on ``day``", for premises reached through ``prefix``."""
    return (
        Q(**{f"{prefix}status": PremisesStatus.IN_USE})
        & (Q(**{f"{prefix}status_since__isnull": True}) | Q(**{f"{prefix}status_since__lte": day}))
        & (Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day}))
    )


def status_on_q(status: str, day: datetime.date, prefix: str = "") -> Q:
    """Premises recorded with ``status`` by ``day`` (planned, never built, diverted)."""
    return Q(**{f"{prefix}status": status}) & (
        Q(**{f"{prefix}status_since__isnull": True}) | Q(**{f"{prefix}status_since__lte": day})
    )


class Premises(models.Model):
    """An office or activity premises (办公活动用房) of a residents' committee."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="premises"
    )
    name = models.CharField(_("name"), max_length=80)
    address = models.CharField(_("address"), max_length=120, blank=True)
    use = models.CharField(
        _("use"), max_length=10, choices=PremisesUse.choices, default=PremisesUse.BOTH
    )
    area = models.DecimalField(
        _("area (m²)"),
        max_digits=10,
        decimal_places=2,
        help_text=_("Floor area in square metres; for planned premises, the planned area."),
    )
    tenure = models.CharField(
        _("tenure"), max_length=10, choices=Tenure.choices, default=Tenure.OWNED
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PremisesStatus.choices, default=PremisesStatus.IN_USE
    )
    status_since = models.DateField(
        _("status since"),
        null=True,
        blank=True,
        help_text=_("For premises in use, the date they were taken into use."),
    )
    ended_on = models.DateField(
        _("no longer used from"),
        null=True,
        blank=True,
        help_text=_("The date the committee gave the premises up, if it did."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    street_scope = "committee__street"
    street_editable = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("premises")
        verbose_name_plural = _("premises")
        ordering = ["committee__street__sort_order", "committee__code", "name"]
        indexes = [models.Index(fields=["committee", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__gte=0),
                name="premises_area_not_negative",
                violation_error_message=_("The area cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(status_since__isnull=True)
                | Q(ended_on__gte=F("status_since")),
                name="premises_ends_after_it_starts",
                violation_error_message=_(
                    "Premises cannot be given up before the date they were taken into use."
                ),
            ),
            models.UniqueConstraint(
                fields=["committee", "name"],
                name="premises_unique_name_in_committee",
                violation_error_message=_("This committee already has premises of that name."),
            ),
        ]

    def __str__(self):
        return f"{self.committee} · {self.name}"


class FunctionStandardGroup(models.TextChoices):
    SCHOOL = "school", _("One school")
    STATIONS = "stations", _("Two stations")
    BOARDS = "boards", _("Three notice boards")
    ROOMS = "rooms", _("Four rooms")
    HAVES = "haves", _("Six haves")
    UNIFORMS = "uniforms", _("Six uniforms")


class FunctionStandardItem(models.Model):
    """One item of the function standard 一校两站三栏四室六有六统一."""

    group = models.CharField(_("group"), max_length=10, choices=FunctionStandardGroup.choices)
    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        error_messages={"unique": _("An item with this code already exists.")},
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    street_scope = None
    is_standard = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("function standard item")
        verbose_name_plural = _("function standard items")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Compliance(models.Model):
    """Whether a committee met one item of the function standard in a year."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="compliance"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    item = models.ForeignKey(
        FunctionStandardItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="compliance",
    )
    met = models.BooleanField(_("met"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    street_scope = "committee__street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("function standard compliance")
        verbose_name_plural = _("function standard compliance")
        ordering = ["-year", "committee__code", "item__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "item"],
                name="compliance_once_per_item_and_year",
                violation_error_message=_(
                    "This committee already has a record for that item in that year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=EARLIEST_YEAR) & Q(year__lte=LATEST_YEAR),
                name="compliance_year_plausible",
                violation_error_message=_("Give a year between 1949 and 2100."),
            ),
        ]

    def __str__(self):
        return f"{self.committee} · {self.item} ({self.year})"


class AreaStandard(EffectiveDated):
    """The minimum area of a committee's premises in use, from a date on.

    A committee needs the larger of ``floor_area`` and ``area_per_100_households`` for every
    100 of its households; either may be left empty. A later standard supersedes an earlier
    one from its date; the old one stays so that past years recompute with their standard.
    """

    floor_area = models.DecimalField(
        _("minimum area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    area_per_100_households = models.DecimalField(
        _("m² per 100 households"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta(EffectiveDated.Meta):
        verbose_name = _("area standard")
        verbose_name_plural = _("area standards")
        constraints = [
            one_per_date(message=_("A standard already takes effect on that date.")),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=False) | Q(area_per_100_households__isnull=False),
                name="area_standard_has_a_rule",
                violation_error_message=_(
                    "Give a minimum area, an area per 100 households, or both."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(floor_area__isnull=True) | Q(floor_area__gte=0))
                & (Q(area_per_100_households__isnull=True) | Q(area_per_100_households__gte=0)),
                name="area_standard_not_negative",
                violation_error_message=_("The areas of a standard cannot be negative."),
            ),
        ]

    def __str__(self):
        return _("Area standard from %(date)s") % {"date": self.effective_from}

    def required_area(self, households: int):
        """The area a committee of ``households`` households needs under this standard."""
        candidates = [Decimal(0)]
        if self.floor_area is not None:
            candidates.append(self.floor_area)
        if self.area_per_100_households is not None:
            candidates.append(self.area_per_100_households * Decimal(households) / 100)
        return max(candidates).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
