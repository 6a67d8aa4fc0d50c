"""The funding table (社区居委会经费情况表), with an optional what-if scenario."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.registry import Column, ColumnKind, Report, ReportError, Row, RowLevel, register
from scoping.rules import scope_queryset

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

    @property
    def result(self) -> BudgetResult:
        if self._result is None:
            self._result = budget_compute(year=self.year, user=self.user, scenario=self.scenario)
        return self._result

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

    def rows(self):
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

    def street_values(self):
        """Each street's money from the one calculation (computed per committee, as it
        must be: money is rounded per committee), without building a row per committee."""
        return {
            street.id: self.values(
                street.amounts, street.party_city_district, street.party_street_match
            )
            for street in self.result.streets
        }

    def total_values(self, values):
        # Party-affairs allocations recorded district-wide count in the total only.
        result = self.result
        return self.values(result.amounts, result.party_city_district, result.party_street_match)

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
        if self.scenario is not None:
            notes.append(
                _("What-if scenario “%(name)s”: not the approved standards.")
                % {"name": self.scenario.name}
            )
        return notes
