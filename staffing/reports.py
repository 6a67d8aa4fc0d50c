"""The staffing tables: the staff (社区工作者队伍情况表: headcount, education, age, training,
exam) and their income as received (社区工作者收入情况表)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.models import Committee
from reports.registry import Column, ColumnKind, Report, Row, RowLevel, register
from scoping.rules import scope_queryset

from .income import KINDS, Income, income_by
from .models import Education, PayComponentKind, Position
from .selectors import headcounts, qualified_counts, training_counts

# Counts of distinct classes and people: not the sum of the level below.
DISTINCT = ("classes", "trainee_times", "exam_passed", "it_operators")


@register
class StaffingReport(Report):
    """Headcount by position, education and age band; trainee-times; exam passes and
    IT-qualified operators in post.

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
            Column("exam_passed", _("Staff in post who passed the skills exam")),
            Column("it_operators", _("Staff in post qualified as information system operators")),
        ]
        return columns

    @staticmethod
    def _added_up(headcounts_by_committee: dict, key_of) -> dict:
        """The committees' headcounts summed by ``key_of(committee id)``."""
        totals: dict = {}
        for pk, counts in headcounts_by_committee.items():
            target = totals.setdefault(key_of(pk), {})
            for name, value in counts.items():
                target[name] = target.get(name, 0) + (value or 0)
        return totals

    def _row_values(self, counts) -> dict:
        return {c.key: (counts or {}).get(c.key) or 0 for c in self.columns()}

    def _distinct(self, group_by) -> dict:
        """Classes, trainee-times, exam passes and IT-qualified operators: distinct counts, which do not add
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

        # Headcounts add up (every posting is on one committee of one street): the streets'
        # and the total's are the sums of the committees' (one query over the postings, not
        # three). Distinct counts do not add up: each level has its own queries.
        head = headcounts(
            year=self.year, user=self.user, positions=self.positions(), group_by="committee"
        )
        # The committees the postings were counted under are those of the user's scope.
        street_of = dict(
            scope_queryset(Committee.objects.all(), self.user).values_list("pk", "street_id")
        )
        committees = {pk: dict(counts) for pk, counts in head.items()}
        streets = self._added_up(head, street_of.get)
        district = self._added_up(head, lambda pk: None)
        for level, group_by in (
            (committees, "committee"),
            (streets, "committee__street"),
            (district, None),
        ):
            for key, counts in self._distinct(group_by).items():
                level.setdefault(key, {}).update(counts)
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
                "committee they were posted to on the day. Exam passes are staff in post on "
                "31 December who had passed the skills exam by then; information system "
                "operators are staff in post on 31 December holding a recorded operator's "
                "qualification then (not the exam)."
            ),
            gettext(
                "Volunteers are the people holding a volunteer post on the staff roster; the "
                "quarterly returns report every volunteer a committee has registered, a "
                "larger figure counted differently."
            ),
        ]


@register
class IncomeReport(Report):
    """Income as received (社区工作者收入情况表): pay at the standards, what the streets add
    by kind, the total and the average annual income per person (``staffing.income``).

    One row for the district (first) and one per street; the streets come from one
    computation (a fixed number of queries whatever the rows), the district and the total
    are added up from them, and the average is worked out again from the sums (never an
    average of averages).
    """

    identifier = "income"
    verbose_name = _("Income of community staff")
    form_number = "建民社7表"
    unit = _("people, person-months, yuan")

    def columns(self):
        labels = dict(PayComponentKind.choices)
        return [
            Column("staff", _("Paid staff at year end")),
            Column("person_months", _("Person-months in post")),
            Column("standard", _("Pay at the standards"), ColumnKind.MONEY),
            *[Column(f"component_{kind}", labels[kind], ColumnKind.MONEY) for kind in KINDS],
            Column("total", _("Total income"), ColumnKind.MONEY),
            Column("average", _("Average annual income per person"), ColumnKind.MONEY),
        ]

    @staticmethod
    def values_of(income: Income) -> dict:
        components = income.components
        return {
            "staff": income.staff,
            "person_months": income.person_months,
            "standard": income.standard,
            **{f"component_{kind}": components[kind] for kind in KINDS},
            "total": income.total,
            "average": income.average,
            # The exact figures, from which a group of streets is added up (combine).
            "_income": income,
        }

    def street_values(self):
        if not hasattr(self, "_street_values"):
            self._street_values = {
                key: self.values_of(income)
                for key, income in income_by(user=self.user, year=self.year).items()
            }
        return self._street_values

    def combine(self, values):
        return self.values_of(sum((v["_income"] for v in values), Income()))

    def rows(self):
        per_street = self.street_values()
        empty = self.combine([])
        street_rows = [
            Row(label=street.name, values=per_street.get(street.pk, empty), level=RowLevel.STREET)
            for street in self.streets()
        ]
        total = Row(
            label=gettext("Total"),
            values=self.combine([row.values for row in street_rows]),
            level=RowLevel.TOTAL,
        )
        return [total, *street_rows]

    def notes(self):
        return [
            gettext(
                "Income is the pay at the standards plus what the streets add (allowances, "
                "bonuses, subsidies) for every month in post in %(year)s; a yearly amount "
                "counts one twelfth a month. Volunteers are not counted."
            )
            % {"year": self.year},
            gettext(
                "Average annual income per person = total income × 12 ÷ person-months in "
                "post. The budget's staff funds are the pay at the standards only."
            ),
        ]
