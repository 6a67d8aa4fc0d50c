"""How many months of a period a posting counts for, computed in the database.

The rule (see README, "How part months count"): a calendar month counts in full when the
posting covers at least one day of it. Someone who starts on 15 April is paid for April;
someone who leaves on 10 October is paid for October. The count is the number of calendar
months touched by the intersection of the posting with the window.
"""

import datetime

from django.db.models import Case, DateField, F, IntegerField, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest, Least


def month_index(expression):
    return ExtractYear(expression) * 12 + ExtractMonth(expression)


def months_touched(
    *,
    window_start: datetime.date,
    window_end: datetime.date,
    start_field: str = "start_date",
    end_field: str = "end_date",
):
    """An expression: calendar months of [window_start, window_end] the row's dates touch."""
    start = Greatest(F(start_field), Value(window_start, output_field=DateField()))
    end = Least(
        Coalesce(F(end_field), Value(window_end, output_field=DateField())),
        Value(window_end, output_field=DateField()),
        output_field=DateField(),
    )
    return Case(
        When(
            **{f"{start_field}__lte": window_end},
            then=Case(
                When(
                    condition=~_ends_before(end_field, window_start),
                    then=month_index(end) - month_index(start) + 1,
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


def _ends_before(end_field, day):
    from django.db.models import Q

    return Q(**{f"{end_field}__lt": day}) & Q(**{f"{end_field}__isnull": False})


def year_window(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def paid_until():
    """A posting's last paid day, as an expression: its end, but never after its committee's
    revocation (a posting left open on a revoked committee is not paid for the months after
    it). The one rule: the staff funds (``budgets.calculations.Standards.paid_until``) and
    income as received (``staffing.income``) both count by it."""
    from django.db.models import DateField

    revoked = F("committee__revoked_on")
    return Case(
        When(committee__revoked_on__isnull=True, then=F("end_date")),
        When(end_date__isnull=True, then=revoked),
        When(end_date__lt=revoked, then=F("end_date")),
        default=revoked,
        output_field=DateField(),
    )
