"""The quarterly table (社区居委会季度统计表): the quarter's approved returns, by street and
committee, with the district total first. Only approved figures count.

A committee without an approved return is not reported (未报): its figures are blank, never
0. The head says how many of the expected returns the table holds (已审核 7/38); while some
are missing the table is provisional (暂定数), its total says it covers only the approved
returns, and a note says so.
"""

from django.db.models import Count, FilteredRelation, Q, Sum
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from communities.models import Committee
from reports.registry import Column, ColumnKind, Report, Row, RowLevel, register

from .models import FIGURES, QuarterlyReturn, ReturnStatus
from .selectors import committees_in_quarter


def add_figures(values: list[dict]) -> dict:
    """Figure by figure sums of the reported values; None (blank) when none reported it."""
    totals = {
        "expected": sum(v.get("expected") or 0 for v in values),
        "approved": sum(v.get("approved") or 0 for v in values),
    }
    for name in FIGURES:
        reported = [v[name] for v in values if v.get(name) is not None]
        totals[name] = sum(reported) if reported else None
    return totals


@register
class QuarterlyReport(Report):
    identifier = "quarterly"
    verbose_name = _("Quarterly statistics of community residents' committees")
    form_number = "建民社5表"
    unit = _("committees, households, people, cases")
    parameters = ("year", "quarter")

    def columns(self):
        return [
            Column("expected", _("Committees expected")),
            Column("approved", _("Returns approved")),
            *(Column(name, QuarterlyReturn._meta.get_field(name).verbose_name) for name in FIGURES),
            Column("status", _("Return"), ColumnKind.TEXT),
        ]

    def _committees(self):
        return self.scoped(
            committees_in_quarter(Committee.objects.all(), year=self.year, quarter=self.quarter)
        )

    def counts(self) -> tuple[int, int]:
        """(approved returns, returns expected) of the quarter in the report's scope."""
        if not hasattr(self, "_counts"):
            committees = self._committees()
            approved = (
                self.scoped(QuarterlyReturn.objects.for_quarter(self.year, self.quarter))
                .filter(status=ReturnStatus.APPROVED, committee__in=committees)
                .count()
            )
            self._counts = (approved, committees.count())
        return self._counts

    def provisional(self) -> bool:
        approved, expected = self.counts()
        return approved < expected

    def coverage(self) -> str:
        approved, expected = self.counts()
        return gettext_now("Approved: %(approved)s/%(expected)s") % {
            "approved": approved,
            "expected": expected,
        }

    def title(self) -> str:
        title = super().title()
        if self.provisional():
            title += gettext_now(" (provisional)")
        return title

    def total_label(self) -> str:
        if not self.provisional():
            return gettext_now("Total")
        return gettext_now("Total (the %(approved)s approved returns only)") % {
            "approved": self.counts()[0]
        }

    def combine(self, values):
        return add_figures(values)

    def rows(self):
        committees = list(
            self._committees().select_related("street").order_by("street__sort_order", "code")
        )
        approved = {
            r.committee_id: r
            for r in self.scoped(
                QuarterlyReturn.objects.for_quarter(self.year, self.quarter).filter(
                    status=ReturnStatus.APPROVED
                )
            )
        }
        not_reported = gettext_now("Not reported")
        by_street = {}
        for committee in committees:
            item = approved.get(committee.pk)
            values = {"expected": 1, "approved": 1 if item else 0}
            for name in FIGURES:
                values[name] = (getattr(item, name) or 0) if item else None
            values["status"] = "" if item else not_reported
            by_street.setdefault(committee.street_id, []).append(
                Row(label=committee.name, values=values, level=RowLevel.COMMITTEE)
            )
        street_rows, result = [], []
        for street in self.streets():
            children = by_street.get(street.pk, [])
            values = add_figures([row.values for row in children])
            street_row = Row(label=street.name, values=values, level=RowLevel.STREET)
            street_rows.append(street_row)
            result += [street_row, *children]
        total = Row(
            label=self.total_label(),
            values=add_figures([row.values for row in street_rows]),
            level=RowLevel.TOTAL,
        )
        return [total, *result]

    def summary(self):
        summary = super().summary()
        summary.total.label = self.total_label()
        return summary

    def street_values(self):
        """Per street, in one query: the committees that existed in the quarter, joined to
        their approved return of the quarter (at most one each); a figure no committee of
        the street reported is None."""
        committees = self._committees().annotate(
            approved_return=FilteredRelation(
                "quarterly_returns",
                condition=Q(
                    quarterly_returns__year=self.year,
                    quarterly_returns__quarter=self.quarter,
                    quarterly_returns__status=ReturnStatus.APPROVED,
                ),
            )
        )
        per_street = (
            committees.values("street")
            .annotate(
                expected=Count("pk"),
                approved=Count("approved_return"),
                **{name: Sum(f"approved_return__{name}") for name in FIGURES},
            )
            .order_by()
        )
        result = {}
        for entry in per_street:
            street = entry.pop("street")
            if entry["approved"]:
                # A reported return with a blank figure counts as 0, as in the full table.
                for name in FIGURES:
                    entry[name] = entry[name] or 0
            result[street] = entry
        return result

    def notes(self):
        notes = [
            str(
                _(
                    "Only approved returns are counted; a committee counts if it existed during the quarter."
                )
            )
        ]
        notes.append(
            str(
                _(
                    "Volunteers here are every volunteer the committees have registered, as "
                    "their returns report them; the staffing table's volunteers are only the "
                    "people holding a volunteer post on the staff roster."
                )
            )
        )
        approved, expected = self.counts()
        if approved < expected:
            notes.append(
                gettext_now(
                    "Provisional: %(approved)s of %(expected)s returns are approved. The totals "
                    "cover only the approved returns; the %(missing)s committees whose return is "
                    "not approved are marked “not reported” and left blank."
                )
                % {"approved": approved, "expected": expected, "missing": expected - approved}
            )
        return notes
