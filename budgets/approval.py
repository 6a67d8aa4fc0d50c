"""The approved budget (核定预算): freezing a year's budget, and comparing with it.

- :func:`budget_approve` runs the one calculation (:func:`budgets.calculations.budget_compute`)
  for the whole district on the real standards and stores every committee's figures
  (:class:`~budgets.models.ApprovedBudgetLine`), with who approved it and when. From then on
  the figures stay as they were, whatever returns are approved, whoever leaves and whatever
  a register says. Approving the year again makes a new version (with its reason); earlier
  versions are kept for the record and the latest is the approved budget.
- :func:`approved_comparison` sets the approved figures beside the current ones (现算数)
  per committee, street and in total, within the user's scope, in a fixed number of queries.
- :func:`approved_amounts` gives the approved figures per street and in total, which the
  scenario comparison uses as its base.

Amounts are read back as :class:`~budgets.calculations.Amounts` (whole fen), so differences
are exact and add up: a street's approved figure is the sum of its committees' lines, as a
computed street figure is the sum of its rounded committee figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.data_version import data_changed
from communities.models import Committee, Street
from reports.registry import person_name
from scoping.rules import SYSTEM, scope_queryset, sees_all_streets

from .calculations import Amounts, BudgetResult, ComparisonLine, budget_compute
from .models import ApprovedBudget, ApprovedBudgetLine

PERMISSION = "budgets.approve_budget"


class ApprovalError(Exception):
    """An approval that cannot be made; the message says why, in the user's language."""


def may_approve(user) -> bool:
    """Whether ``user`` may approve a year's budget: a district role carrying the permission
    (the district administrator; see ``accounts.roles``)."""
    return bool(user is not None and sees_all_streets(user) and user.has_perm(PERMISSION))


def latest_approved(year: int) -> ApprovedBudget | None:
    """The approved budget of ``year`` in force: its latest version (None before any)."""
    return (
        ApprovedBudget.objects.filter(year=year)
        .select_related("approved_by")
        .order_by("-version")
        .first()
    )


def _fen(value: Decimal) -> int:
    return int(value.scaleb(2))


def line_amounts(staff: Decimal, office: Decimal, district_share: Decimal) -> Amounts:
    """A frozen line's figures as the calculation's :class:`Amounts`."""
    return Amounts(_fen(staff), _fen(office), _fen(district_share))


def budget_approve(
    *, year: int, user, reason: str = "", expected_version: int | None = None
) -> ApprovedBudget:
    """Approve ``year``'s budget as computed now, for the whole district.

    ``expected_version`` is the version the user saw when confirming (0 for none): if someone
    approved the year meanwhile, nothing is written and :class:`ApprovalError` says so. A
    second or later approval needs a ``reason``. Refused with ``PermissionDenied`` for a user
    who may not approve.
    """
    if not may_approve(user):
        raise PermissionDenied(_("Only the district administrator may approve a year's budget."))
    reason = (reason or "").strip()
    with transaction.atomic():
        latest = latest_approved(year)
        current_version = latest.version if latest is not None else 0
        if expected_version is not None and expected_version != current_version:
            raise ApprovalError(_stale_message(latest))
        if latest is not None and not reason:
            raise ApprovalError(
                _(
                    "The %(year)s budget was approved already (version %(version)s): give "
                    "the reason for approving it again."
                )
                % {"year": year, "version": latest.version}
            )
        # The whole district, whoever approves: the approval is the bureau's, not a view.
        result = budget_compute(year=year, user=SYSTEM)
        committees = list(result.committees())
        if not committees:
            raise ApprovalError(
                _("There is no committee with a budget in %(year)s: nothing to approve.")
                % {"year": year}
            )
        try:
            with transaction.atomic():
                budget = ApprovedBudget.objects.create(
                    year=year,
                    version=current_version + 1,
                    approved_at=timezone.now(),
                    approved_by=user if getattr(user, "pk", None) else None,
                    approved_by_name=person_name(user),
                    reason=reason,
                )
        except IntegrityError:
            raise ApprovalError(_stale_message(latest_approved(year))) from None
        # Each committee's own street (a line's scope); the calculation gives the street it
        # is counted under. Read whole: no list of ids as long as the province.
        home_street = dict(Committee.objects.values_list("id", "street_id").order_by())
        ApprovedBudgetLine.objects.bulk_create(
            [
                ApprovedBudgetLine(
                    budget=budget,
                    street_id=home_street[committee.id],
                    counted_under_id=committee.street_id,
                    committee_id=committee.id,
                    committee_code=committee.code,
                    committee_name=committee.name,
                    households=committee.households,
                    office_months=committee.office_months,
                    staff=committee.amounts.staff,
                    office=committee.amounts.office,
                    total=committee.amounts.total,
                    district_share=committee.amounts.district_share,
                    street_share=committee.amounts.street_share,
                )
                for committee in committees
            ]
        )
        data_changed()
    return budget


def _stale_message(latest: ApprovedBudget | None) -> str:
    if latest is None:  # pragma: no cover - versions are never deleted
        return _("The approved budget changed while you were confirming; check it again.")
    return _(
        "%(who)s approved the %(year)s budget (version %(version)s) at %(when)s while you "
        "were confirming. Nothing was written; check the figures again."
    ) % {
        "who": latest.approved_by_name,
        "year": latest.year,
        "version": latest.version,
        "when": timezone.localtime(latest.approved_at).strftime("%Y-%m-%d %H:%M"),
    }


# Reading it back ----------------------------------------------------------------------------
@dataclass
class VersionSummary:
    """A version of a year's approved budget, with its total in the user's scope."""

    budget: ApprovedBudget
    total: Decimal


def approved_versions(year: int, user) -> list[VersionSummary]:
    """Every version of ``year``'s approved budget, latest first, each with its total over the
    lines ``user`` may see (two queries)."""
    budgets = list(ApprovedBudget.objects.filter(year=year).order_by("-version"))
    totals = dict(
        scope_queryset(ApprovedBudgetLine.objects.filter(budget__year=year), user)
        .values("budget_id")
        .annotate(sum=Sum("total"))
        .values_list("budget_id", "sum")
        .order_by()
    )
    return [VersionSummary(budget=b, total=totals.get(b.pk) or Decimal("0.00")) for b in budgets]


def _scoped_lines(budget: ApprovedBudget, user):
    return scope_queryset(ApprovedBudgetLine.objects.filter(budget=budget), user).order_by(
        "street__sort_order", "street__code", "committee_code"
    )


def _placed(street_id: int, counted_under_id: int, visible) -> int:
    """The street a line is shown under for a user who sees ``visible`` streets: where it was
    counted, else its own (the calculation places a committee the same way)."""
    return counted_under_id if counted_under_id in visible else street_id


def approved_amounts(budget: ApprovedBudget, user) -> tuple[Amounts, dict[int, Amounts]]:
    """The approved figures in total and per street (by id), over the lines ``user`` may see
    (two queries)."""
    visible = set(scope_queryset(Street.objects.all(), user).values_list("pk", flat=True))
    streets: dict[int, Amounts] = {}
    for street_id, counted_under_id, staff, office, district in _scoped_lines(
        budget, user
    ).values_list("street_id", "counted_under_id", "staff", "office", "district_share"):
        amounts = line_amounts(staff, office, district)
        key = _placed(street_id, counted_under_id, visible)
        streets[key] = streets[key] + amounts if key in streets else amounts
    return sum(streets.values(), Amounts()), streets


@dataclass
class CommitteeComparison:
    """A committee's approved and current figures; either may be missing (a committee
    added since the approval, or one no longer budgeted, or moved to another street)."""

    id: int | None
    code: str
    name: str
    host_name: str | None
    current_households: int | None
    approved_households: int | None
    approved: Amounts | None
    current: Amounts | None

    @property
    def difference(self) -> Amounts:
        return (self.current or Amounts()) - (self.approved or Amounts())


@dataclass
class StreetComparison:
    id: int
    name: str
    committees: list[CommitteeComparison] = field(default_factory=list)
    approved: Amounts = field(default_factory=Amounts)
    current: Amounts = field(default_factory=Amounts)

    @property
    def difference(self) -> Amounts:
        return self.current - self.approved


@dataclass
class ApprovedComparison:
    budget: ApprovedBudget
    streets: list[StreetComparison]
    approved: Amounts
    current: Amounts

    @property
    def difference(self) -> Amounts:
        return self.current - self.approved

    def committees(self):
        for street in self.streets:
            yield from street.committees

    def committee(self, committee_id: int) -> CommitteeComparison | None:
        return next((c for c in self.committees() if c.id == committee_id), None)


def approved_comparison(
    *, year: int, user, current: BudgetResult | None = None, budget=None
) -> ApprovedComparison | None:
    """The approved budget of ``year`` beside the budget computed now, within ``user``'s
    scope; None when the year has no approved budget.

    ``current`` is the year's :func:`budget_compute` on the real standards for the same user,
    when the caller has it already. A committee's approved line is shown under the street it
    was counted under then, and its current figures under the street it is counted under
    now; when those differ (it moved), it appears in both, each side with its own figures,
    so every street's figures are the sums of its rows. ``budget``: the year's
    :func:`latest_approved`, when the caller has it already.
    """
    budget = budget if budget is not None else latest_approved(year)
    if budget is None:
        return None
    if current is None:
        current = budget_compute(year=year, user=user)
    elif current.scenario is not None:
        raise ValueError("Compare the approved budget with the real standards' budget.")
    streets = {
        s.id: StreetComparison(id=s.id, name=s.name, current=s.amounts) for s in current.streets
    }
    rows: dict[tuple[int, int | None], CommitteeComparison] = {}
    for street in current.streets:
        for committee in street.committees:
            row = CommitteeComparison(
                id=committee.id,
                code=committee.code,
                name=committee.name,
                host_name=committee.host_name,
                current_households=committee.households,
                approved_households=None,
                approved=None,
                current=committee.amounts,
            )
            rows[(street.id, committee.id)] = row
            streets[street.id].committees.append(row)

    lines = _scoped_lines(budget, user).values_list(
        "street_id", "street__name", "counted_under_id", "committee_id", "committee_code",
        "committee_name", "households", "staff", "office", "district_share",
    )  # fmt: skip
    for (
        street_id, street_name, counted_under_id, committee_id, code, name, households,
        staff, office, district,
    ) in lines:  # fmt: skip
        amounts = line_amounts(staff, office, district)
        key = _placed(street_id, counted_under_id, streets)
        target = streets.get(key)
        if target is None:  # its street is no longer in the scope's list (not expected)
            target = streets[key] = StreetComparison(id=key, name=street_name)
        target.approved = target.approved + amounts
        row = rows.get((key, committee_id)) if committee_id is not None else None
        if row is None:
            row = CommitteeComparison(
                id=committee_id,
                code=code,
                name=name,
                host_name=None,
                current_households=None,
                approved_households=None,
                approved=None,
                current=None,
            )
            target.committees.append(row)
        row.approved = amounts
        row.approved_households = households
    ordered = list(streets.values())
    return ApprovedComparison(
        budget=budget,
        streets=ordered,
        approved=sum((s.approved for s in ordered), Amounts()),
        current=current.amounts,
    )


def committee_approved(*, year: int, committee: Committee, user):
    """(the approved budget of ``year``, ``committee``'s line in it or None), within
    ``user``'s scope; (None, None) before any approval. Two queries."""
    budget = latest_approved(year)
    if budget is None:
        return None, None
    line = _scoped_lines(budget, user).filter(committee=committee).first()
    return budget, line


def scenario_against_approved(*, budget: ApprovedBudget, scenario, user) -> list[ComparisonLine]:
    """``scenario``'s budget of the approved budget's year against the approved figures: the
    district (the user's scope) first, then each street, as
    :func:`budgets.calculations.budget_compare` does against the real standards."""
    what_if = budget_compute(year=budget.year, user=user, scenario=scenario)
    total, by_street = approved_amounts(budget, user)
    lines = [ComparisonLine(label="", base=total, scenario=what_if.amounts, level="total")]
    for street in what_if.streets:
        lines.append(
            ComparisonLine(
                label=street.name,
                base=by_street.get(street.id, Amounts()),
                scenario=street.amounts,
            )
        )
    return lines
