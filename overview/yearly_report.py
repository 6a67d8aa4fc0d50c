"""The yearly report on community building, all of it, from the data.

The bureau's report (``shared/seed/BRIEF.md``, section 5) has 一、基本情况 (establishment,
funding, facilities: :mod:`overview.basic_situation`), 二、主要特点 (titles, community
centres, one-stop service, the function standard, training, the exam and the IT operators)
and 三、存在的主要矛盾和问题 (premises short of the standard, unbuilt or diverted; committees
over the planning standard; vacant posts). Every figure is counted from the registers with
the user's scope (a street user: their street, and the text speaks of the street), as at a
day (31 December, or any day of the year: the document's own figures are at mid-year), and
every sentence carries the sources of its figures (:class:`reports.documents.Sentence`).
A sentence the data cannot support (nothing recorded) is left out, never invented.

How each figure is counted is said where it is counted (:mod:`communities.selectors`,
:mod:`staffing.selectors`, :mod:`facilities.selectors`) and in the README.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import (
    Committee,
    CommitteeKind,
    CommitteeStatus,
    District,
    TitleField,
    TitleKind,
)
from communities.selectors import (
    centre_counts,
    implied_committees,
    one_stop_counts,
    planning_check,
    planning_standards,
    title_counts,
)
from facilities.models import (
    FunctionStandardGroup,
    FunctionStandardItem,
    Premises,
    PremisesStatus,
    status_on_q,
)
from facilities.selectors import area_shortfalls
from reports.documents import Document, Part, Section, Sentence
from reports.numbers import grouped
from reports.registry import get_report_class
from scoping.rules import scope_queryset
from staffing.models import Subject, TrainingClass
from staffing.selectors import qualified_counts, training_between, vacancies
from targets.indicators import get_indicator
from targets.progress import completion, target_for

from .basic_situation import amount, as_of_text, basic_situation_sections, report_url

IDENTIFIER = "yearly-report"
LISTED = 5  # committees named in a sentence, at most


@dataclass
class YearlyReport(Document):
    year: int
    day: datetime.date
    since: int | None


def admin_list(model: str, **filters) -> str:
    """A register's admin list, filtered (the user's scope applies there too)."""
    url = reverse(f"admin:{model.replace('.', '_')}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def unit_of(user) -> str:
    """Whom the text speaks of: the user's street, else the whole district (全区)."""
    street = getattr(user, "street", None)
    return street.name if street is not None else _("the district")


def is_street(user) -> bool:
    return getattr(user, "street", None) is not None


def names(items, more: int) -> str:
    """Listed names, then '等n个' when more were left out."""
    text = "、".join(items)
    if more > 0:
        text = _("%(names)s and %(count)s more") % {"names": text, "count": more}
    return text


def number_sections(sections: list[Section]) -> list[Section]:
    for number, section in enumerate(sections, start=1):
        section.heading = f"{number}. {section.heading}"
    return sections


def target_sentence(indicator: str, *, year: int, user, value, day) -> Sentence | None:
    """Progress against the year's work target on ``indicator`` (a code of
    :mod:`targets.indicators`) for the text's scope (the district's target, or the
    street's), with ``value`` the figure the text has just given; None without a target: no
    target is invented."""
    target = target_for(user, year, indicator)
    if target is None:
        return None
    text = _(
        "The target for %(year)s is %(target)s %(unit)s; %(value)s %(unit)s reached as of "
        "%(date)s, %(percent)s%% of the target."
    )
    percent = completion(value, target)
    values = {
        "year": year,
        "target": grouped(target),
        "value": grouped(value),
        "date": as_of_text(day),
        "percent": grouped(percent, 1) if percent is not None else "—",
        "unit": get_indicator(indicator).unit,
    }
    link = (
        _("Progress against the work targets"),
        report_url("targets", year, as_of=day.isoformat()),
    )
    return Sentence(text % values, [link])


# 二、主要特点 -------------------------------------------------------------------------------------


def titles_section(*, year, user, day) -> Section | None:
    counts = title_counts(day=day, user=user)
    star = counts["by_kind"].get(TitleKind.STAR, 0)
    characteristic = counts["by_kind"].get(TitleKind.CHARACTERISTIC, 0)
    if not star and not characteristic:
        return None
    link = (
        _("Titles awarded up to %(year)s") % {"year": counts["year"]},
        admin_list("communities.title", year__lte=counts["year"]),
    )
    paragraphs = [
        Sentence(
            _(
                "By the end of %(year)s, %(unit)s has %(star)s star communities and "
                "%(characteristic)s characteristic communities."
            )
            % {
                "year": counts["year"],
                "unit": unit_of(user),
                "star": star,
                "characteristic": characteristic,
            },
            [link],
        )
    ]
    items = []
    for field, label in TitleField.choices:
        star_n = counts["by_kind_field"].get((TitleKind.STAR, field), 0)
        char_n = counts["by_kind_field"].get((TitleKind.CHARACTERISTIC, field), 0)
        if star_n and char_n:
            items.append(
                _("%(field)s: %(star)s star and %(characteristic)s characteristic")
                % {"field": label, "star": star_n, "characteristic": char_n}
            )
        elif star_n:
            items.append(_("%(field)s: %(star)s star") % {"field": label, "star": star_n})
        elif char_n:
            items.append(
                _("%(field)s: %(characteristic)s characteristic")
                % {"field": label, "characteristic": char_n}
            )
    if items:
        paragraphs.append(Sentence(_("By field: %(list)s.") % {"list": "；".join(items)}, [link]))
    return Section(heading=_("Star and characteristic communities"), paragraphs=paragraphs)


def centres_section(*, year, user, day) -> Section | None:
    counts = centre_counts(day=day, user=user)
    if not counts["total"]:
        return None
    values = {
        "unit": unit_of(user),
        "total": counts["total"],
        "built": counts["built"],
        "approved": counts["approved"],
    }
    link = (_("Community centres"), admin_list("communities.communitycentre"))
    district = None if is_street(user) else District.objects.order_by("code").first()
    low = getattr(district, "centres_planned_min", None)
    high = getattr(district, "centres_planned_max", None)
    if low or high:
        values["plan"] = f"{low}～{high}" if low and high and low != high else str(high or low)
        text = _(
            "%(unit)s plans %(plan)s community centres; %(total)s are on the register, of "
            "which %(built)s are built and %(approved)s approved for construction."
        )
    else:
        text = _(
            "%(unit)s has %(total)s community centres on the register, of which %(built)s are "
            "built and %(approved)s approved for construction."
        )
    paragraphs = [Sentence(text % values, [link])]
    return Section(heading=_("Community centres"), paragraphs=paragraphs)


def one_stop_section(*, year, user, day) -> Section | None:
    counts = one_stop_counts(day=day, user=user)
    if not counts["total"]:
        return None
    values = {
        "date": as_of_text(day),
        "unit": unit_of(user),
        "total": counts["total"],
        "pilot": counts["pilot"],
    }
    if counts["pilot"] == counts["total"]:
        text = _(
            "As of %(date)s, %(total)s committees of %(unit)s offer one-stop service as pilots."
        )
    elif counts["pilot"]:
        text = _(
            "As of %(date)s, %(total)s committees of %(unit)s offer one-stop service, "
            "%(pilot)s of them as pilots."
        )
    else:
        text = _("As of %(date)s, %(total)s committees of %(unit)s offer one-stop service.")
    link = (
        _("Committees with one-stop service"),
        admin_list("communities.committee", one_stop_since__lte=day.isoformat()),
    )
    paragraphs = [Sentence(text % values, [link])]
    target = target_sentence("one_stop", year=year, user=user, value=counts["total"], day=day)
    if target:
        paragraphs.append(target)
    return Section(heading=_("One-stop service"), paragraphs=paragraphs)


def standard_name() -> str:
    """The function standard's name from its groups (一校两站三栏四室六有六统一)."""
    groups = []
    for group in FunctionStandardItem.objects.order_by("order", "code").values_list(
        "group", flat=True
    ):
        if group not in groups:
            groups.append(group)
    order = list(FunctionStandardGroup.values)
    return "".join(str(FunctionStandardGroup(g).label) for g in sorted(groups, key=order.index))


def function_standard_section(*, year, user, day) -> Section | None:
    report = get_report_class("function-standard")(user=user, year=year)
    total = report.rows()[0].values
    if not total["committees"] or not total["met"]:
        return None  # nothing recorded for the year: nothing to say
    text = _(
        "In %(year)s, %(fully)s of the %(committees)s operating committees met every item of "
        "the function standard “%(standard)s”; %(share)s%% of all items were met."
    ) % {
        "year": year,
        "fully": total["fully_met"],
        "committees": total["committees"],
        "standard": standard_name(),
        "share": total["share"],
    }
    link = (str(report.verbose_name), report_url(report.identifier, year))
    return Section(heading=_("The function standard"), paragraphs=[Sentence(text, [link])])


def subject_list(counts: dict) -> str:
    items = []
    for subject, label in Subject.choices:
        found = counts.get(subject)
        if found and found["classes"]:
            items.append(
                _("%(subject)s %(classes)s classes, %(times)s trainee-times")
                % {"subject": label, "classes": found["classes"], "times": found["trainee_times"]}
            )
    return "；".join(items)


def default_since(year: int) -> int | None:
    """The year training is counted from when none is chosen: that of the first class."""
    first = TrainingClass.objects.filter(date__year__lte=year).aggregate(first=Min("date"))
    return first["first"].year if first["first"] else None


def training_section(*, year, user, day, since) -> Section | None:
    paragraphs = []
    unit = unit_of(user)
    start = datetime.date(year, 1, 1)
    staffing = get_report_class("staffing")
    staffing_link = (str(staffing.verbose_name), report_url(staffing.identifier, year))
    year_counts = training_between(start=start, end=day, user=user, by_subject=True)
    year_total = training_between(start=start, end=day, user=user).get(None) or {}
    if year_total.get("classes"):
        period = (
            _("%(year)s") % {"year": year}
            if (day.month, day.day) == (12, 31)
            else _("%(year)s up to %(date)s") % {"year": year, "date": as_of_text(day)}
        )
        paragraphs.append(
            Sentence(
                _(
                    "In %(period)s, staff of %(unit)s attended %(classes)s training classes, "
                    "%(times)s trainee-times: %(list)s."
                )
                % {
                    "period": period,
                    "unit": unit,
                    "classes": year_total["classes"],
                    "times": grouped(year_total["trainee_times"]),
                    "list": subject_list(year_counts),
                },
                [
                    staffing_link,
                    (
                        _("Training classes of the period"),
                        admin_list(
                            "staffing.trainingclass",
                            date__gte=start.isoformat(),
                            date__lte=day.isoformat(),
                        ),
                    ),
                ],
            )
        )
    if since is not None and since < year:
        first = datetime.date(since, 1, 1)
        since_counts = training_between(start=first, end=day, user=user, by_subject=True)
        since_total = training_between(start=first, end=day, user=user).get(None) or {}
        if since_total.get("classes"):
            paragraphs.append(
                Sentence(
                    _(
                        "Since %(since)s, staff of %(unit)s have attended %(classes)s "
                        "training classes in all, %(times)s trainee-times: %(list)s."
                    )
                    % {
                        "since": since,
                        "unit": unit,
                        "classes": since_total["classes"],
                        "times": grouped(since_total["trainee_times"]),
                        "list": subject_list(since_counts),
                    },
                    [
                        (
                            _("Training classes since %(year)s") % {"year": since},
                            admin_list(
                                "staffing.trainingclass",
                                date__gte=first.isoformat(),
                                date__lte=day.isoformat(),
                            ),
                        )
                    ],
                )
            )
    operating = set(
        scope_queryset(Committee.objects.existing_on(day), user)
        .filter(kind=CommitteeKind.URBAN, status=CommitteeStatus.OPERATING)
        .values_list("pk", flat=True)
    )
    per_committee = qualified_counts(year=year, user=user, day=day, group_by="committee")
    district = qualified_counts(year=year, user=user, day=day, group_by=None).get(None) or {}
    if district.get("exam_passed"):
        paragraphs.append(
            Sentence(
                _(
                    "As of %(date)s, %(count)s staff in post in %(unit)s have passed the skills exam."
                )
                % {"date": as_of_text(day), "count": district["exam_passed"], "unit": unit},
                [staffing_link, (_("Exam results"), admin_list("staffing.examresult"))],
            )
        )
    operators = {
        pk: counts["it_operators"]
        for pk, counts in per_committee.items()
        if pk in operating and counts.get("it_operators")
    }
    if operators:
        low, high = min(operators.values()), max(operators.values())
        values = {
            "date": as_of_text(day),
            "unit": unit,
            "count": sum(operators.values()),
            "range": f"{low}～{high}" if low != high else str(low),
            "with": len(operators),
            "committees": len(operating),
        }
        if len(operators) == len(operating):
            text = _(
                "As of %(date)s, %(unit)s has %(count)s qualified information system operators "
                "in post, %(range)s in every operating committee."
            )
        else:
            text = _(
                "As of %(date)s, %(unit)s has %(count)s qualified information system operators "
                "in post, in %(with)s of the %(committees)s operating committees, %(range)s in "
                "each of them."
            )
        paragraphs.append(
            Sentence(
                text % values,
                [
                    staffing_link,
                    (
                        _("Qualifications"),
                        admin_list("staffing.qualification", kind="it_operator"),
                    ),
                ],
            )
        )
    if not paragraphs:
        return None
    return Section(heading=_("Training and qualifications"), paragraphs=paragraphs)


def features_part(*, year, user, day, since) -> Part:
    sections = [
        titles_section(year=year, user=user, day=day),
        centres_section(year=year, user=user, day=day),
        one_stop_section(year=year, user=user, day=day),
        function_standard_section(year=year, user=user, day=day),
        training_section(year=year, user=user, day=day, since=since),
    ]
    return Part(
        heading=_("II. Main features"),
        sections=number_sections([s for s in sections if s is not None]),
    )


# 三、存在的主要矛盾和问题 ------------------------------------------------------------------------


def premises_section(*, year, user, day) -> Section | None:
    paragraphs = []
    short = list(area_shortfalls(year=year, user=user, day=day))
    facilities = get_report_class("facilities")
    facilities_link = (str(facilities.verbose_name), report_url(facilities.identifier, year))
    if short:
        total = sum((c.shortfall for c in short), 0)
        paragraphs.append(
            Sentence(
                _(
                    "%(count)s operating committees have less office and activity space than "
                    "the area standard, %(shortfall)s m² short in all; the furthest short: "
                    "%(list)s."
                )
                % {
                    "count": len(short),
                    "shortfall": amount(total),
                    "list": names(
                        [
                            _("%(name)s (%(shortfall)s m² short)")
                            % {"name": c.name, "shortfall": amount(c.shortfall)}
                            for c in short[:LISTED]
                        ],
                        len(short) - LISTED,
                    ),
                },
                [facilities_link],
            )
        )
    lost = (
        scope_queryset(Premises.objects.all(), user)
        .filter(
            status_on_q(PremisesStatus.NEVER_BUILT, day) | status_on_q(PremisesStatus.DIVERTED, day)
        )
        .select_related("committee")
        .order_by("committee__street__sort_order", "committee__code", "name")
    )
    by_status: dict[str, list[str]] = {}
    for premises in lost:
        by_status.setdefault(premises.status, []).append(premises.committee.name)
    texts = {
        PremisesStatus.NEVER_BUILT: _(
            "%(count)s premises planned for committees were never built (%(list)s)."
        ),
        PremisesStatus.DIVERTED: _("%(count)s premises were diverted to other uses (%(list)s)."),
    }
    for status, text in texts.items():
        found = by_status.get(status)
        if found:
            paragraphs.append(
                Sentence(
                    text
                    % {
                        "count": len(found),
                        "list": names(
                            list(dict.fromkeys(found))[:LISTED], len(set(found)) - LISTED
                        ),
                    },
                    [
                        facilities_link,
                        (
                            PremisesStatus(status).label,
                            admin_list("facilities.premises", status__exact=status),
                        ),
                    ],
                )
            )
    if not paragraphs:
        return None
    return Section(heading=_("Office and activity premises"), paragraphs=paragraphs)


def planning_section(*, year, user, day) -> Section | None:
    committees = planning_check(day=day, user=user)
    standards = planning_standards()
    if not committees or not standards:
        return None
    report = get_report_class("planning")
    link = (str(report.verbose_name), report_url(report.identifier, year))
    paragraphs = []
    over = [c for c in committees if c.against == "over"]
    if over:
        paragraphs.append(
            Sentence(
                _(
                    "%(count)s committees have more households than the planning standard of "
                    "their area type: %(list)s."
                )
                % {
                    "count": len(over),
                    "list": names(
                        [
                            _("%(name)s %(households)s households (standard %(standard)s)")
                            % {
                                "name": c.name,
                                "households": grouped(c.households),
                                "standard": grouped(c.standard),
                            }
                            for c in over[:LISTED]
                        ],
                        len(over) - LISTED,
                    ),
                },
                [link],
            )
        )
    households = {}
    for committee in committees:
        households[committee.area_type] = (
            households.get(committee.area_type, 0) + committee.households
        )
    implied = [implied_committees(n, standards.get(t)) for t, n in households.items()]
    if all(value is not None for value in implied):
        under = sum(1 for c in committees if c.against == "under")
        paragraphs.append(
            Sentence(
                _(
                    "By the planning standard, the %(households)s households of %(unit)s make "
                    "%(implied)s communities, against %(committees)s committees; %(under)s "
                    "committees are smaller than the standard."
                )
                % {
                    "households": grouped(sum(households.values())),
                    "unit": unit_of(user),
                    "implied": sum(implied),
                    "committees": len(committees),
                    "under": under,
                },
                [link],
            )
        )
    return Section(heading=_("Community size"), paragraphs=paragraphs) if paragraphs else None


def posts_section(*, year, user, day) -> Section | None:
    found = vacancies(day=day, user=user)
    if not found:
        return None
    staffing = get_report_class("staffing")
    text = _("As of %(date)s, %(count)s posts are vacant: %(list)s.") % {
        "date": as_of_text(day),
        "count": sum(v["vacant"] for v in found),
        "list": names(
            [
                _("%(committee)s %(position)s %(vacant)s")
                % {
                    "committee": v["committee"].name,
                    "position": v["position"].name,
                    "vacant": v["vacant"],
                }
                for v in found[:LISTED]
            ],
            len(found) - LISTED,
        ),
    }
    links = [
        (str(staffing.verbose_name), report_url(staffing.identifier, year)),
        (_("Postings"), admin_list("staffing.posting")),
    ]
    return Section(heading=_("Staff posts"), paragraphs=[Sentence(text, links)])


def problems_part(*, year, user, day) -> Part:
    sections = [
        premises_section(year=year, user=user, day=day),
        planning_section(year=year, user=user, day=day),
        posts_section(year=year, user=user, day=day),
    ]
    return Part(
        heading=_("III. Main problems"),
        sections=number_sections([s for s in sections if s is not None]),
    )


# The whole -------------------------------------------------------------------------------------


def yearly_report(
    *, year: int, user, day: datetime.date | None = None, since: int | None = None
) -> YearlyReport:
    """The yearly report as ``user`` may see it, its counts taken on ``day`` (default 31
    December of ``year``), training counted cumulatively from ``since`` (default: the year
    of the first class)."""
    day = day or datetime.date(year, 12, 31)
    if since is None:
        since = default_since(year)
    unit = get_report_class("establishment")(user=user, year=year)
    period = (
        _("%(year)s") % {"year": year}
        if (day.month, day.day) == (12, 31)
        else _("as of %(date)s") % {"date": as_of_text(day)}
    )
    basic = Part(
        heading=_("I. Basic situation"),
        sections=basic_situation_sections(year=year, user=user, day=day, problems=False),
    )
    parts = [
        basic,
        features_part(year=year, user=user, day=day, since=since),
        problems_part(year=year, user=user, day=day),
    ]
    return YearlyReport(
        year=year,
        day=day,
        since=since,
        title=_("%(unit)s community building: yearly report (%(period)s)")
        % {"unit": unit.reporting_unit(), "period": period},
        heading=basic.heading,
        sections=basic.sections,
        parts=[part for part in parts if part.sections],
        generated_by=unit.generated_by(),
        generated_at=timezone.localtime(),
    )
