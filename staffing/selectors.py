"""Reads of the roster, training and exam: counts per committee, street or district.

Every function takes the ``user`` whose scope applies and a ``group_by`` lookup on
``Posting`` (``"committee"``, ``"committee__street"``, or ``None`` for one district figure)
and returns ``{key: {counter: value}}``; each is one aggregate query whatever the rows.

Who counts where:
- headcounts are the postings in post on 31 December of the year (年末在岗);
- a trainee-time belongs to the committee the person was posted to on the day of the class;
- an exam pass counts someone in post on the day who had passed the skills exam by then,
  under the committee of that posting;
- an IT-qualified operator (信息系统持证操作员) is someone in post on the day who holds a
  recorded :class:`~staffing.models.Qualification` of that kind on that day (obtained by
  then, not lapsed): a qualification, not the exam.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q

from communities.models import Committee, CommitteeKind, CommitteeStatus
from scoping.rules import scope_queryset

from .models import Education, Position, Posting, QualificationKind

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


def training_counts(*, year: int, user, group_by: str | None = "committee"):
    """Classes attended (distinct), trainee-times and trainees in ``year``'s classes."""
    class_date = F("person__attendances__training_class__date")
    postings = scope_queryset(Posting.objects.all(), user).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=class_date),
        person__attendances__training_class__date__year=year,
        start_date__lte=class_date,
    )
    return _grouped(
        postings,
        group_by,
        classes=Count("person__attendances__training_class", distinct=True),
        trainee_times=Count("person__attendances", distinct=True),
        trainees=Count("person", distinct=True),
    )


def qualified_counts(*, year: int, user, group_by: str | None = "committee", day=None):
    """People in post on 31 December (or ``day``) who had passed the skills exam by then
    (``exam_passed``) and who held an IT operator's qualification then (``it_operators``)."""
    day = day or year_end(year)
    postings = scope_queryset(Posting.objects.in_post_on(day), user)
    exam = Q(person__exam_results__passed_on__lte=day)
    it = Q(
        Q(person__qualifications__valid_until__isnull=True)
        | Q(person__qualifications__valid_until__gte=day),
        person__qualifications__kind=QualificationKind.IT_OPERATOR,
        person__qualifications__qualified_on__lte=day,
    )
    passed = _grouped(
        postings.filter(exam), group_by, exam_passed=Count("person", distinct=True)
    )
    operators = _grouped(
        postings.filter(it), group_by, it_operators=Count("person", distinct=True)
    )
    result = {}
    for source in (passed, operators):
        for key, counts in source.items():
            result.setdefault(key, {"exam_passed": 0, "it_operators": 0}).update(counts)
    return result


def training_between(
    *,
    start: datetime.date,
    end: datetime.date,
    user,
    by_subject=False,
    subject: str | None = None,
    group_by: str | None = None,
):
    """Classes and trainee-times of the classes held from ``start`` to ``end`` (both
    included), counted like the staffing table (a trainee-time under the committee where the
    person was posted on the day of the class; a class counts when someone of the scope
    attended it): ``{subject or None: {"classes", "trainee_times"}}``, one query. Only the
    classes of ``subject`` when given; ``group_by`` (a lookup on the posting, such as
    ``"committee__street"``) keys the counts by street instead of by subject."""
    class_date = F("person__attendances__training_class__date")
    postings = scope_queryset(Posting.objects.all(), user).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=class_date),
        person__attendances__training_class__date__gte=start,
        person__attendances__training_class__date__lte=end,
        start_date__lte=class_date,
    )
    if subject is not None:
        postings = postings.filter(person__attendances__training_class__subject=subject)
    return _grouped(
        postings,
        "person__attendances__training_class__subject" if by_subject else group_by,
        classes=Count("person__attendances__training_class", distinct=True),
        trainee_times=Count("person__attendances", distinct=True),
    )


def vacancies(*, day: datetime.date, user) -> list[dict]:
    """Posts not filled on ``day``: for every operating urban committee of the scope and
    every position with a number of posts per committee, the posts less the people in
    post (never below 0). ``[{"committee", "position", "posts", "filled", "vacant"}]`` for
    the committees with a vacancy; two queries."""
    positions = list(
        Position.objects.filter(posts_per_committee__gt=0).order_by("sort_order", "code")
    )
    if not positions:
        return []
    committees = list(
        scope_queryset(Committee.objects.existing_on(day), user)
        .filter(kind=CommitteeKind.URBAN, status=CommitteeStatus.OPERATING)
        .select_related("street")
        .order_by("street__sort_order", "code")
    )
    filled = {
        (entry["committee"], entry["position"]): entry["n"]
        for entry in scope_queryset(Posting.objects.in_post_on(day), user)
        .filter(position__in=positions)
        .values("committee", "position")
        .annotate(n=Count("pk"))
        .order_by()
    }
    found = []
    for committee in committees:
        for position in positions:
            have = filled.get((committee.pk, position.pk), 0)
            if have < position.posts_per_committee:
                found.append(
                    {
                        "committee": committee,
                        "position": position,
                        "posts": position.posts_per_committee,
                        "filled": have,
                        "vacant": position.posts_per_committee - have,
                    }
                )
    return found


