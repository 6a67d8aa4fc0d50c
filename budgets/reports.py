"""The funding table (社区居委会经费情况表), with an optional what-if scenario."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.registry import Column, ColumnKind, Report, ReportError, Row, RowLevel, register
from scoping.rules import scope_queryset

from .approval import ApprovedComparison, approved_comparison, latest_approved
from .calculations import BudgetResult, budget_compute
from .models import Scenario


def scenario_named(name: str | None) -> Scenario | None:
    """The scenario called ``name`` (None for none); a clear error for an unknown one."""
    if not name:
        return None
    scenario = Scenario.objects.filter(name=name).first()
    if scenario is None:
        known = "、".join(Scenario.objects.order_by("name").values_list("name", flat=True))
        raise ReportError(
            _("Unknown scenario “%(name)s”. Known scenarios: %(names)s.")
            % {"name": name, "names": known or _("none")}
        )
    return scenario


def scenario_choices(user) -> list[tuple[str, str]]:
    """The what-if scenarios ``user`` may see, by name (how reports and exportreport take them)."""
    names = scope_queryset(Scenario.objects.order_by("name"), user).values_list("name", flat=True)
    return [("", gettext_lazy("— approved standards —")), *((name, name) for name in names)]


@register
class FundingReport(Report):
    identifier = "funding"
    verbose_name = gettext_lazy("Funding of community residents' committees")
    form_number = "建民社2表"
    unit = gettext_lazy("yuan")
    parameters = ("year", "scenario")

    @classmethod
    def form_fields(cls, user) -> dict:
        return {
            "scenario": forms.TypedChoiceField(
                label=gettext_lazy("scenario"),
                required=False,
                empty_value=None,
                choices=scenario_choices(user),
            )
        }

    def __init__(self, *, user, year: int, **kwargs):
        super().__init__(user=user, year=year, **kwargs)
        self.scenario = scenario_named(self.options.get("scenario"))
        self._result = None
        self._comparison = False  # not looked up yet

    @property
    def result(self) -> BudgetResult:
        if self._result is None:
            self._result = budget_compute(year=self.year, user=self.user, scenario=self.scenario)
        return self._result

    @property
    def approved_budget(self):
        """The year's approved budget the table sets beside the current figures (None with a
        scenario, or before the year is approved): one query, without computing the budget,
        so that a page showing the cached summary does not compute the province's budget
        only to know its columns."""
        if not hasattr(self, "_approved_budget"):
            self._approved_budget = (
                None if self.scenario is not None else latest_approved(self.year)
            )
        return self._approved_budget

    @property
    def comparison(self) -> ApprovedComparison | None:
        """The year's approved budget beside the current figures (None with a scenario, or
        before the year is approved): the table then has its approved and difference
        columns."""
        if self._comparison is False:
            self._comparison = (
                None
                if self.approved_budget is None
                else approved_comparison(
                    year=self.year,
                    user=self.user,
                    current=self.result,
                    budget=self.approved_budget,
                )
            )
        return self._comparison

    def title(self) -> str:
        title = super().title()
        if self.scenario is not None:
            title += _(" — scenario: %(name)s") % {"name": self.scenario.name}
        return title

    def columns(self):
        return [
            Column("staff", _("Staff funds"), ColumnKind.MONEY),
            Column("office", _("Office and activity funds"), ColumnKind.MONEY),
            Column("total", _("Total"), ColumnKind.MONEY),
            Column("district_share", _("Borne by the district"), ColumnKind.MONEY),
            Column("street_share", _("Borne by the streets"), ColumnKind.MONEY),
            Column(
                "party_city_district", _("Party-affairs funds: city and district"), ColumnKind.MONEY
            ),
            Column("party_street_match", _("Party-affairs funds: street match"), ColumnKind.MONEY),
            *(
                [
                    Column("approved_total", _("Total, approved"), ColumnKind.MONEY),
                    Column(
                        "total_difference",
                        _("Total, current less approved"),
                        ColumnKind.MONEY,
                    ),
                ]
                if self.approved_budget is not None
                else []
            ),
        ]

    @staticmethod
    def values(amounts, party_city_district=None, party_street_match=None) -> dict:
        return {
            "staff": amounts.staff,
            "office": amounts.office,
            "total": amounts.total,
            "district_share": amounts.district_share,
            "street_share": amounts.street_share,
            "party_city_district": party_city_district,
            "party_street_match": party_street_match,
        }

    def approved_values(self, line) -> dict:
        """The approved and difference columns of a row of the comparison (none without)."""
        if self.comparison is None or line is None:
            return {}
        return {
            "approved_total": line.approved.total if line.approved is not None else None,
            "total_difference": line.difference.total,
        }

    def rows(self):
        if self.comparison is not None:
            return self.compared_rows()
        result = self.result
        rows = [
            Row(
                label=_("Total"),
                values=self.values(
                    result.amounts, result.party_city_district, result.party_street_match
                ),
                level=RowLevel.TOTAL,
            )
        ]
        for street in result.streets:
            rows.append(
                Row(
                    label=street.name,
                    values=self.values(
                        street.amounts, street.party_city_district, street.party_street_match
                    ),
                    level=RowLevel.STREET,
                    extra={"street_id": street.id},
                )
            )
            for committee in street.committees:
                label = committee.name
                if committee.host_name:
                    label = _("%(name)s (works from %(host)s)") % {
                        "name": committee.name,
                        "host": committee.host_name,
                    }
                rows.append(
                    Row(
                        label=label,
                        values=self.values(committee.amounts),
                        level=RowLevel.COMMITTEE,
                        extra={"committee_id": committee.id},
                    )
                )
        return rows

    def compared_rows(self):
        """The table beside the approved budget: every committee of the current budget and
        every committee of the approved one (a committee no longer budgeted, or moved, shows
        blank current figures), so each street's row is the sum of its committees' rows."""
        result, comparison = self.result, self.comparison
        rows = [
            Row(
                label=_("Total"),
                values=self.values(
                    result.amounts, result.party_city_district, result.party_street_match
                )
                | self.approved_values(comparison),
                level=RowLevel.TOTAL,
            )
        ]
        for street in comparison.streets:
            computed = result.street(street.id)
            party = (computed.party_city_district, computed.party_street_match) if computed else ()
            rows.append(
                Row(
                    label=street.name,
                    values=self.values(street.current, *party) | self.approved_values(street),
                    level=RowLevel.STREET,
                    extra={"street_id": street.id},
                )
            )
            for committee in street.committees:
                label = committee.name
                if committee.host_name:
                    label = _("%(name)s (works from %(host)s)") % {
                        "name": committee.name,
                        "host": committee.host_name,
                    }
                current = (
                    self.values(committee.current)
                    if committee.current is not None
                    else dict.fromkeys(self.values(result.amounts))
                )
                rows.append(
                    Row(
                        label=label,
                        values=current | self.approved_values(committee),
                        level=RowLevel.COMMITTEE,
                        extra={"committee_id": committee.id} if committee.id else {},
                    )
                )
        return rows

    def street_values(self):
        """Each street's money from the one calculation (computed per committee, as it
        must be: money is rounded per committee), without building a row per committee."""
        compared = {s.id: s for s in self.comparison.streets} if self.comparison else {}
        values = {
            street.id: self.values(
                street.amounts, street.party_city_district, street.party_street_match
            )
            | self.approved_values(compared.get(street.id))
            for street in self.result.streets
        }
        for street_id, street in compared.items():  # approved under a street not computed now
            values.setdefault(street_id, self.values(street.current) | self.approved_values(street))
        return values

    def total_values(self, values):
        # Party-affairs allocations recorded district-wide count in the total only.
        result = self.result
        return self.values(
            result.amounts, result.party_city_district, result.party_street_match
        ) | self.approved_values(self.comparison)

    def notes(self):
        notes = [
            _(
                "Staff funds: months in post times the monthly pay standard in force that "
                "month; office and activity funds: households / 100 times the rate per 100 "
                "households per month times the months established (urban committees only)."
            ),
            _(
                "Party-affairs allocations recorded district-wide appear in the total row "
                "only; they are not part of the formula total."
            ),
        ]
        if self.approved_budget is not None:
            budget = self.approved_budget
            notes.append(
                _(
                    "Total, approved: the %(year)s budget as approved by %(who)s on %(when)s "
                    "(version %(version)s); the difference is the current total less the "
                    "approved one."
                )
                % {
                    "year": budget.year,
                    "who": budget.approved_by_name,
                    "when": timezone.localtime(budget.approved_at).strftime("%Y-%m-%d %H:%M"),
                    "version": budget.version,
                }
            )
        if self.scenario is not None:
            notes.append(
                _("What-if scenario “%(name)s”: not the approved standards.")
                % {"name": self.scenario.name}
            )
        return notes
