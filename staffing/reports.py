"""The staffing table (社区工作者队伍情况表): headcount, education, age, training, exam."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.models import Committee
from reports.registry import Column, Report, Row, RowLevel, register

from .models import Education, Position
from .selectors import headcounts, qualified_counts, training_counts

# Counts of distinct classes and people: not the sum of the level below.
DISTINCT = ("classes", "trainee_times", "qualified")


@register
class StaffingReport(Report):
    """Headcount by position, education and age band; trainee-times; qualified operators.

    One row for the district (first), one per street, one per committee under its street.
    Every figure of every level comes from an aggregate query of that level (a distinct
    count, such as classes attended, is not the sum of the levels below it), so the number of
    queries does not depend on the number of people, postings or committees.
    """

    identifier = "staffing"
    verbose_name = _("Community staff")
    form_number = "建民社4表"
    unit = _("people, classes, trainee-times")

    def positions(self):
        if not hasattr(self, "_positions"):
            self._positions = list(Position.objects.order_by("sort_order", "code"))
        return self._positions

    def columns(self):
        columns = [Column(f"position_{p.pk}", p.name) for p in self.positions()]
        columns += [
            Column("paid", _("Paid staff")),
            Column("party_members", _("Party members (paid staff)")),
            Column("women", _("Women (paid staff)")),
        ]
        columns += [Column(f"education_{code}", label) for code, label in Education.choices]
        columns += [
            Column("age_under_30", _("Aged under 30")),
            Column("age_30_39", _("Aged 30–39")),
            Column("age_40_49", _("Aged 40–49")),
            Column("age_50_over", _("Aged 50 and over")),
            Column("classes", _("Training classes attended")),
            Column("trainee_times", _("Trainee-times")),
            Column("qualified", _("Qualified operators")),
        ]
        return columns

    def _level(self, group_by):
        values = {}
        options = {"year": self.year, "user": self.user, "group_by": group_by}
        for source in (
            headcounts(positions=self.positions(), **options),
            training_counts(**options),
            qualified_counts(**options),
        ):
            for key, counts in source.items():
                values.setdefault(key, {}).update(counts)
        return values

    def _row_values(self, counts) -> dict:
        return {c.key: (counts or {}).get(c.key) or 0 for c in self.columns()}

    def _distinct(self, group_by) -> dict:
        """Classes, trainee-times and qualified operators: distinct counts, which do not add
        up from one level to the next, so each level has its own queries."""
        values = {}
        options = {"year": self.year, "user": self.user, "group_by": group_by}
        for source in (training_counts(**options), qualified_counts(**options)):
            for key, counts in source.items():
                values.setdefault(key, {}).update(counts)
        return values

    def _with_distinct(self, values: dict, counts: dict | None) -> dict:
        values.update({key: (counts or {}).get(key) or 0 for key in DISTINCT})
        return values

    def street_values(self):
        # Headcounts add up: every posting is on one committee of one street, so districts
        # and the total are the sums of the streets (one query over the postings, not two).
        headcount = headcounts(
            year=self.year, user=self.user, positions=self.positions(), group_by="committee__street"
        )
        distinct = self._distinct("committee__street")
        return {
            key: self._with_distinct(self._row_values(counts), distinct.get(key))
            for key, counts in headcount.items()
        } | {
            key: self._with_distinct(self._row_values(None), counts)
            for key, counts in distinct.items()
            if key not in headcount
        }

    def district_values(self, by_district):
        distinct = self._distinct("committee__street__district")
        return {
            key: self._with_distinct(self.combine(values), distinct.get(key))
            for key, values in by_district.items()
        }

    def total_values(self, values):
        return self._with_distinct(self.combine(values), self._distinct(None).get(None))

    def rows(self):
        if hasattr(self, "_rows"):
            return self._rows
        columns = self.columns()

        def row(label, counts, level, **extra):
            return Row(
                label=label,
                values={c.key: (counts or {}).get(c.key) or 0 for c in columns},
                level=level,
                extra=extra,
            )

        district = self._level(None)
        streets = self._level("committee__street")
        committees = self._level("committee")
        by_street = {}
        for committee in self.scoped(Committee.objects.established_in(self.year)).order_by(
            "street__sort_order", "code"
        ):
            by_street.setdefault(committee.street_id, []).append(committee)
        rows = [row(gettext("Total"), district.get(None), RowLevel.TOTAL)]
        for street in self.streets():
            rows.append(row(street.name, streets.get(street.pk), RowLevel.STREET))
            for committee in by_street.get(street.pk, []):
                rows.append(
                    row(
                        committee.name,
                        committees.get(committee.pk),
                        RowLevel.COMMITTEE,
                        committee_id=committee.pk,
                    )
                )
        self._rows = rows
        return rows

    def notes(self):
        return [
            gettext(
                "Headcounts are the staff in post on 31 December %(year)s; education, age "
                "(as of that day) and party membership count paid staff."
            )
            % {"year": self.year},
            gettext(
                "Trainee-times count each person at each class of the year, under the "
                "committee they were posted to on the day; qualified operators are staff in "
                "post on 31 December who had passed the skills exam."
            ),
        ]
