"""Funding standards, party-affairs allocations and what-if scenarios.

The standards are effective-dated like pay standards (``staffing.PayStandard``): a row is in
force for a month when it took effect on or before the month's first day, until a later row
takes over. Scenarios are named sets of changes to the standards; they are applied only
inside the calculation (``budgets.calculations``) and never write to the real standards.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.effective import EffectiveDated, one_per_date
from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from scoping.rules import ScopedQuerySet


class OfficeFundRate(EffectiveDated):
    """Office and activity funds per 100 households per month (200 yuan from 2006)."""

    amount_per_100_households = models.DecimalField(
        _("yuan per 100 households per month"), max_digits=10, decimal_places=2
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta(EffectiveDated.Meta):
        verbose_name = _("office and activity fund rate")
        verbose_name_plural = _("office and activity fund rates")
        constraints = [
            *EffectiveDated.Meta.constraints,
            models.CheckConstraint(
                condition=Q(amount_per_100_households__gte=0),
                name="office_fund_rate_not_negative",
                violation_error_message=_("A rate cannot be negative."),
            ),
        ]

    def __str__(self):
        return _("%(amount)s yuan per 100 households per month from %(date)s") % {
            "amount": self.amount_per_100_households,
            "date": self.effective_from,
        }


class CostShare(EffectiveDated):
    """How the district and the streets split the formula funds (50 / 50 in 2006)."""

    district_percent = models.DecimalField(
        _("district share (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("The street bears the rest."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta(EffectiveDated.Meta):
        verbose_name = _("cost share")
        verbose_name_plural = _("cost shares")
        constraints = [
            *EffectiveDated.Meta.constraints,
            models.CheckConstraint(
                condition=Q(district_percent__gte=0) & Q(district_percent__lte=100),
                name="cost_share_percent_between_0_and_100",
                violation_error_message=_("The district share must be between 0 and 100%."),
            ),
        ]

    def __str__(self):
        return _("district %(percent)s%% from %(date)s") % {
            "percent": self.district_percent,
            "date": self.effective_from,
        }

    @property
    def street_percent(self):
        return 100 - self.district_percent


class AllocationSource(models.TextChoices):
    CITY_DISTRICT = "city_district", _("City and district finance")
    STREET_MATCH = "street_match", _("Street match")


class PartyAffairsAllocation(models.Model):
    """Money for community party-affairs work recorded by the bureau, beside the formula funds.

    ``street`` empty means district-wide (not split by street).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=AllocationSource.choices)
    street = models.ForeignKey(
        "communities.Street",
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_affairs_allocations",
        help_text=_("Leave empty for a district-wide allocation."),
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    street_scope = "street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party-affairs allocation")
        verbose_name_plural = _("party-affairs allocations")
        ordering = ["-year", "source", "street__sort_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="party_allocation_not_negative",
                violation_error_message=_("An allocation cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=EARLIEST_YEAR) & Q(year__lte=LATEST_YEAR),
                name="party_allocation_year_plausible",
                violation_error_message=_("Give a year between 1949 and 2100."),
            ),
        ]

    def __str__(self):
        where = self.street.name if self.street_id else _("district-wide")
        return f"{self.year} {self.get_source_display()} · {where} · {self.amount}"


class Scenario(models.Model):
    """A named what-if: changes to the standards, applied only when computing with it."""

    name = models.CharField(
        _("name"),
        max_length=80,
        unique=True,
        error_messages={"unique": _("A scenario with this name already exists.")},
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    street_scope = None
    is_standard = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ScenarioPayChange(EffectiveDated):
    """In a scenario: a position's monthly pay from a date on."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="pay_changes"
    )
    position = models.ForeignKey(
        "staffing.Position", verbose_name=_("position"), on_delete=models.PROTECT, related_name="+"
    )
    monthly_amount = models.DecimalField(
        _("monthly amount (yuan)"), max_digits=10, decimal_places=2
    )

    class Meta(EffectiveDated.Meta):
        verbose_name = _("scenario pay change")
        verbose_name_plural = _("scenario pay changes")
        ordering = ["scenario", "position__sort_order", "effective_from"]
        constraints = [
            one_per_date(
                "scenario",
                "position",
                message=_("This scenario already changes that position's pay from that date."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0),
                name="scenario_pay_change_not_negative",
                violation_error_message=_("A pay standard cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.position} {self.monthly_amount} ({self.effective_from})"

    def clean(self):
        super().clean()
        if self.position_id and self.position.paid_as_id:
            raise ValidationError(
                {
                    "position": _(
                        "This position is paid at the standard of %(other)s; change that "
                        "position's pay instead."
                    )
                    % {"other": self.position.paid_as}
                }
            )


class ScenarioRateChange(EffectiveDated):
    """In a scenario: the office and activity fund rate from a date on."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="rate_changes"
    )
    amount_per_100_households = models.DecimalField(
        _("yuan per 100 households per month"), max_digits=10, decimal_places=2
    )

    class Meta(EffectiveDated.Meta):
        verbose_name = _("scenario office fund rate change")
        verbose_name_plural = _("scenario office fund rate changes")
        ordering = ["scenario", "effective_from"]
        constraints = [
            one_per_date(
                "scenario", message=_("This scenario already changes the rate from that date.")
            ),
            models.CheckConstraint(
                condition=Q(amount_per_100_households__gte=0),
                name="scenario_rate_change_not_negative",
                violation_error_message=_("A rate cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.amount_per_100_households} ({self.effective_from})"


class ScenarioCostShareChange(EffectiveDated):
    """In a scenario: the district's share from a date on."""

    scenario = models.ForeignKey(
        Scenario,
        verbose_name=_("scenario"),
        on_delete=models.CASCADE,
        related_name="cost_share_changes",
    )
    district_percent = models.DecimalField(_("district share (%)"), max_digits=5, decimal_places=2)

    class Meta(EffectiveDated.Meta):
        verbose_name = _("scenario cost share change")
        verbose_name_plural = _("scenario cost share changes")
        ordering = ["scenario", "effective_from"]
        constraints = [
            one_per_date(
                "scenario",
                message=_("This scenario already changes the cost share from that date."),
            ),
            models.CheckConstraint(
                condition=Q(district_percent__gte=0) & Q(district_percent__lte=100),
                name="scenario_cost_share_between_0_and_100",
                violation_error_message=_("The district share must be between 0 and 100%."),
            ),
        ]

    def __str__(self):
        return f"{self.district_percent}% ({self.effective_from})"


class ApprovedBudget(models.Model):
    """A year's budget as the bureau approved it (核定): the one calculation's figures for
    every committee, frozen in :class:`ApprovedBudgetLine` rows, with who and when.

    Made only by :func:`budgets.approval.budget_approve`. Approving a year again makes a new
    version; the earlier ones stay, unchanged, for the record. The latest version is the
    approved budget the pages compare with. Nothing here is ever edited or deleted.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    approved_at = models.DateTimeField(_("approved at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by_name = models.CharField(
        _("approved by (name)"),
        max_length=150,
        help_text=_("The approver's name as it was at approval, kept if the account goes."),
    )
    reason = models.TextField(_("reason"), blank=True)

    # District-wide: the figures it holds are in the lines, each scoped by its street.
    street_scope = None

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("approved budget")
        verbose_name_plural = _("approved budgets")
        ordering = ["-year", "-version"]
        # Written by the approval only: nobody adds, changes or deletes one by hand.
        default_permissions = ("view",)
        permissions = [("approve_budget", _("Can approve a year's budget"))]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version"],
                name="approved_budget_version_once_per_year",
                violation_error_message=_("That version of the year's budget already exists."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=EARLIEST_YEAR) & Q(year__lte=LATEST_YEAR),
                name="approved_budget_year_plausible",
                violation_error_message=_("Give a year between 1949 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="approved_budget_version_from_1",
                violation_error_message=_("Versions are numbered from 1."),
            ),
        ]

    def __str__(self):
        return _("%(year)s budget, version %(version)s") % {
            "year": self.year,
            "version": self.version,
        }


class ApprovedBudgetLine(models.Model):
    """One committee's figures in an approved budget, as the calculation gave them then.

    ``street`` is the committee's own street then (the line's scope, as the committee's);
    ``counted_under`` the street whose figures it was counted in (the host office's street
    for a committee sharing an office in another street, as the calculation does). The
    committee's code and name are kept as they were, so the line reads the same if the
    committee is renamed or removed later.
    """

    budget = models.ForeignKey(
        ApprovedBudget,
        verbose_name=_("approved budget"),
        on_delete=models.PROTECT,
        related_name="lines",
    )
    street = models.ForeignKey(
        "communities.Street", verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    counted_under = models.ForeignKey(
        "communities.Street",
        verbose_name=_("counted under street"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    committee = models.ForeignKey(
        "communities.Committee",
        verbose_name=_("committee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    committee_code = models.CharField(_("committee code"), max_length=20)
    committee_name = models.CharField(_("committee name"), max_length=100)
    households = models.PositiveIntegerField(_("households"))
    office_months = models.PositiveSmallIntegerField(_("months of office funds"))
    staff = models.DecimalField(_("staff funds (yuan)"), max_digits=14, decimal_places=2)
    office = models.DecimalField(
        _("office and activity funds (yuan)"), max_digits=14, decimal_places=2
    )
    total = models.DecimalField(_("total (yuan)"), max_digits=14, decimal_places=2)
    district_share = models.DecimalField(
        _("borne by the district (yuan)"), max_digits=14, decimal_places=2
    )
    street_share = models.DecimalField(
        _("borne by the street (yuan)"), max_digits=14, decimal_places=2
    )

    street_scope = "street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("approved budget line")
        verbose_name_plural = _("approved budget lines")
        ordering = ["budget", "street__sort_order", "committee_code"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "committee"],
                name="approved_budget_line_once_per_committee",
                violation_error_message=_("This committee already has a line in that budget."),
            ),
        ]

    def __str__(self):
        return f"{self.budget} · {self.committee_name}"
