"""The quarterly table (社区居委会季度统计表): the quarter's approved returns, by street and
committee, with the district total first. Only approved figures count."""

from django.db.models import Count, FilteredRelation, Q, Sum
from django.utils.translation import gettext_lazy as _

from communities.models import Committee
from reports.registry import Column, Report, Row, RowLevel, register

from .models import FIGURES, QuarterlyReturn, ReturnStatus
from .selectors import committees_in_quarter


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
        ]

    def rows(self):
        columns = self.columns()
        committees = list(
            self.scoped(
                committees_in_quarter(Committee.objects.all(), year=self.year, quarter=self.quarter)
            )
            .select_related("street")
            .order_by("street__sort_order", "code")
        )
        approved = {
            r.committee_id: r
            for r in self.scoped(
                QuarterlyReturn.objects.for_quarter(self.year, self.quarter).filter(
                    status=ReturnStatus.APPROVED
                )
            )
        }
        by_street = {}
        for committee in committees:
            item = approved.get(committee.pk)
            values = {"expected": 1, "approved": 1 if item else 0}
            for name in FIGURES:
                values[name] = (getattr(item, name) or 0) if item else 0
            by_street.setdefault(committee.street_id, []).append(
                Row(label=committee.name, values=values, level=RowLevel.COMMITTEE)
            )
        street_rows, result = [], []
        for street in self.streets():
            children = by_street.get(street.pk, [])
            subtotal = self.total_row(children, columns)
            street_row = Row(label=street.name, values=subtotal.values, level=RowLevel.STREET)
            street_rows.append(street_row)
            result += [street_row, *children]
        return [self.total_row(street_rows, columns), *result]

    def street_values(self):
        """Per street, in one query: the committees that existed in the quarter, joined to
        their approved return of the quarter (at most one each)."""
        committees = self.scoped(
            committees_in_quarter(Committee.objects.all(), year=self.year, quarter=self.quarter)
        ).annotate(
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
                **{name: Sum(f"approved_return__{name}", default=0) for name in FIGURES},
            )
            .order_by()
        )
        return {entry.pop("street"): entry for entry in per_street}

    def notes(self):
        return [
            str(
                _(
                    "Only approved returns are counted; a committee counts if it existed during the quarter."
                )
            )
        ]
