"""Reads of the roster, training and exam: counts per committee, street or district.

Every function takes the ``user`` whose scope applies and a ``group_by`` lookup on
``Posting`` (``"committee"``, ``"committee__street"``, or ``None`` for one district figure)
and returns ``{key: {counter: value}}``; each is one aggregate query whatever the rows.

Who counts where:
- headcounts are the postings in post on 31 December of the year (年末在岗);
- a trainee-time belongs to the committee the person was posted to on the day of the class;
- a qualified operator (持证上岗) is someone in post on 31 December who had passed the skills
  exam by then, counted for the committee of that posting.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q

from scoping.rules import scope_queryset

from .models import Education, Posting

AGE_BANDS = [
    # key, lowest age, highest age (inclusive); None: open
    ("age_under_30", None, 29),
    ("age_30_39", 30, 39),
    ("age_40_49", 40, 49),
    ("age_50_over", 50, None),
]


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band_filters(on: datetime.date, prefix: str = "person__") -> dict[str, Q]:
    """``Q`` per age band: age on ``on`` between the band's bounds (birth date compared)."""
    bands = {}
    for key, lowest, highest in AGE_BANDS:
        condition = Q(**{f"{prefix}birth_date__isnull": False})
        if lowest is not None:
            # At least ``lowest`` years old: born on or before that many years back.
            condition &= Q(**{f"{prefix}birth_date__lte": _years_before(on, lowest)})
        if highest is not None:
            # At most ``highest``: born after (highest + 1) years back.
            condition &= Q(**{f"{prefix}birth_date__gt": _years_before(on, highest + 1)})
        bands[key] = condition
    return bands


def _grouped(queryset, group_by, **aggregates):
    if group_by is None:
        return {None: queryset.aggregate(**aggregates)}
    return {
        entry.pop("key"): entry
        for entry in queryset.annotate(key=F(group_by)).values("key").annotate(**aggregates).order_by()
    }


def headcounts(*, year: int, user, positions, group_by: str | None = "committee"):
    """Postings in post on 31 December, by position code, plus education, age, party, gender.

    ``paid`` counts staff in paid positions; education, age bands, party members and women
    are counted among paid staff (volunteers are counted by position only).
    """
    day = year_end(year)
    postings = scope_queryset(Posting.objects.in_post_on(day), user)
    paid = Q(position__is_paid=True)
    aggregates = {
        f"position_{position.pk}": Count("pk", filter=Q(position=position.pk))
        for position in positions
    }
    aggregates["paid"] = Count("pk", filter=paid)
    aggregates["all"] = Count("pk")
    for code, _label in Education.choices:
        aggregates[f"education_{code}"] = Count("pk", filter=paid & Q(person__education=code))
    aggregates["education_unknown"] = Count("pk", filter=paid & Q(person__education=""))
    for key, condition in age_band_filters(day).items():
        aggregates[key] = Count("pk", filter=paid & condition)
    aggregates["party_members"] = Count("pk", filter=paid & Q(person__party_member=True))
    aggregates["women"] = Count("pk", filter=paid & Q(person__gender="f"))
    return _grouped(postings, group_by, **aggregates)


def training_counts(
    *, year: int, user, group_by: str | None = "committee", as_of: datetime.date | None = None
):
    """Classes attended (distinct), trainee-times and trainees in ``year``'s classes (up to
    ``as_of`` when given: the year so far)."""
    class_date = F("person__attendances__training_class__date")
    postings = scope_queryset(Posting.objects.all(), user).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=class_date),
        person__attendances__training_class__date__year=year,
        start_date__lte=class_date,
    )
    if as_of is not None:
        postings = postings.filter(person__attendances__training_class__date__lte=as_of)
    return _grouped(
        postings,
        group_by,
        classes=Count("person__attendances__training_class", distinct=True),
        trainee_times=Count("person__attendances", distinct=True),
        trainees=Count("person", distinct=True),
    )


def qualified_counts(*, year: int, user, group_by: str | None = "committee"):
    """People in post on 31 December who had passed the skills exam by then."""
    day = year_end(year)
    postings = scope_queryset(Posting.objects.in_post_on(day), user).filter(
        person__exam_results__passed_on__lte=day
    )
    return _grouped(postings, group_by, qualified=Count("person", distinct=True))


