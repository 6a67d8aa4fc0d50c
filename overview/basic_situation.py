"""The yearly 基本情况: the "basic situation" section of the bureau's report, from the data.

The structure of the bureau's report (``shared/seed/BRIEF.md``, section 5): 一、基本情况 with
1. establishment (建制情况), 2. funding (经费情况), 3. facilities (设施情况). Every figure comes
from the registered reports (establishment, funding, facilities) and the budget calculation
they use, with the user's scope; the sentences are written from those figures, in the
user's language. :func:`reports.rendering.render_docx` writes the same content as a Word
document.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.calculations import Standards
from reports.documents import Document, Section, Sentence, report_table
from reports.numbers import grouped
from reports.registry import RowLevel, get_report_class
from staffing.income import average_annual_income
from staffing.models import Position

IDENTIFIER = "basic-situation"


def amount(value) -> str:
    """Money or area as text: 2,031,600 when whole, 1,234.10 when not."""
    value = Decimal(value or 0)
    return grouped(value, 0 if value == value.to_integral_value() else 2)


def listing(items: list[str]) -> str:
    """Items joined the way the language lists them (南湖街道9个，滨湖街道9个)."""
    text = ""
    for index, item in enumerate(items):
        text = item if index == 0 else _("%(head)s, %(tail)s") % {"head": text, "tail": item}
    return text


@dataclass
class BasicSituation(Document):
    """The year's basic situation (a :class:`reports.documents.Document` of that year)."""

    year: int


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def as_of_text(day: datetime.date) -> str:
    """The day figures are taken on, as the text says it: 2006年底, 2006年6月30日."""
    if (day.month, day.day) == (12, 31):
        return _("the end of %(year)s") % {"year": day.year}
    return _("%(month)s/%(day)s/%(year)s") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def report_url(identifier: str, year: int, **params) -> str:
    """The page of a registered report table for ``year`` (a figure's source)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query = urlencode({"year": year, **params})
    return f"{reverse('reports:report-detail', args=[identifier])}?{query}"


def source(report) -> tuple[str, str]:
    """A figure's source: the report table it comes from, linked."""
    return (str(report.verbose_name), report_url(report.identifier, report.year))


# 1. Establishment ------------------------------------------------------------------------------
def establishment_section(*, year: int, user, day: datetime.date | None = None) -> Section:
    report = get_report_class("establishment")(user=user, year=year, as_of=day)
    rows = report.rows()
    total, streets = rows[0].values, [r for r in rows if r.level == RowLevel.STREET]
    figures = {"established": total["established"], "operating": total["operating"]}
    if getattr(user, "street", None) is not None:
        figures["street"] = user.street.name
        opening = _(
            "%(street)s has established %(established)s community residents' committees, "
            "%(operating)s of which actually operate."
        )
    else:
        opening = _(
            "The district has established %(established)s community residents' committees, "
            "%(operating)s of which actually operate."
        )
    paragraphs = [Sentence(opening % figures, [source(report)])]
    items = []
    for street in streets:
        values = street.values
        if values["operating"] != values["established"]:
            items.append(
                _("%(street)s %(count)s (%(operating)s operating)")
                % {
                    "street": street.label,
                    "count": values["established"],
                    "operating": values["operating"],
                }
            )
        else:
            items.append(
                _("%(street)s %(count)s") % {"street": street.label, "count": values["established"]}
            )
    if len(items) > 1:
        paragraphs.append(_("By street: %(list)s.") % {"list": listing(items)})
    sharing = [s for s in streets if s.values["sharing"]]
    if sharing:
        paragraphs.append(
            _(
                "%(count)s committees (%(streets)s) work from another committee's office and "
                "have not yet been formally revoked."
            )
            % {
                "count": total["sharing"],
                "streets": listing(
                    [
                        _("%(street)s %(count)s")
                        % {"street": s.label, "count": s.values["sharing"]}
                        for s in sharing
                    ]
                ),
            }
        )
    if total["village"]:
        paragraphs.append(
            _("There are also %(count)s village committees acting as residents' committees.")
            % {"count": total["village"]}
        )
    paragraphs.append(
        _("The residents' committees serve %(households)s households.")
        % {"households": grouped(total["urban_households"])}
    )
    return Section(
        heading=_("1. Establishment"), paragraphs=paragraphs, tables=[report_table(report, 1)]
    )


# 2. Funding -------------------------------------------------------------------------------------
def pay_sentence(standards: Standards) -> str | None:
    """Monthly pay standards in force at the end of the year, by position, in position order."""
    if not standards.segments:
        return None
    pay = standards.segments[-1].pay
    if not pay:
        return None
    positions = list(Position.objects.filter(is_paid=True).order_by("sort_order", "code"))
    names = {p.pk: p.name for p in positions}
    order = {p.pk: index for index, p in enumerate(positions)}
    items = []
    for pay_position in sorted(pay, key=lambda pk: order.get(pk, len(order))):
        others = [
            names[pk]
            for pk in sorted(standards.paid_as.get(pay_position, []), key=order.get)
            if pk != pay_position and pk in names
        ]
        name = standards.position_names.get(pay_position) or names.get(pay_position, "")
        values = {"position": name, "amount": amount(pay[pay_position])}
        if others:
            values["others"] = listing(others)
            items.append(_("%(position)s (including %(others)s) %(amount)s yuan") % values)
        else:
            items.append(_("%(position)s %(amount)s yuan") % values)
    return _("Monthly pay standards: %(list)s.") % {"list": listing(items)}


def average_income_sentence(*, year: int, user) -> Sentence | None:
    """The average annual income per paid staff member as received (the pay standard and
    what the streets add, :func:`staffing.income.average_annual_income`), rounded to the
    hundred as the bureau writes it ("人均年收入约12,600元"), linked to the income table.
    No sentence when no paid staff were in post: the text never invents the figure."""
    average = average_annual_income(user, year)
    if average is None:
        return None
    report = get_report_class("income")(user=user, year=year)
    return Sentence(
        _(
            "With what the streets add to the pay standard, paid staff received about "
            "%(amount)s yuan a year per person."
        )
        % {"amount": amount((average / 100).quantize(Decimal(1)) * 100)},
        [source(report)],
    )


def funding_section(*, year: int, user) -> Section:
    report = get_report_class("funding")(user=user, year=year)
    result = report.result
    standards = Standards(year=year)
    paragraphs = []
    sentence = pay_sentence(standards)
    if sentence:
        paragraphs.append(sentence)
    # Income as received (人均年收入约12,600元): the standard and what the streets add.
    income = average_income_sentence(year=year, user=user)
    if income:
        paragraphs.append(income)
    rate = standards.segments[-1].rate if standards.segments else None
    if rate is not None:
        paragraphs.append(
            _("Office and activity funds: %(rate)s yuan per 100 households per month.")
            % {"rate": amount(rate)}
        )
    amounts = result.amounts
    paragraphs.append(
        Sentence(
            (
                _(
                    "In %(year)s the committees of %(street)s have staff funds of %(staff)s yuan "
                    "and office and activity funds of %(office)s yuan, %(total)s yuan in all."
                )
                if getattr(user, "street", None) is not None
                else _(
                    "In %(year)s staff funds come to %(staff)s yuan and office and activity "
                    "funds to %(office)s yuan, %(total)s yuan in all."
                )
            )
            % {
                "street": getattr(getattr(user, "street", None), "name", ""),
                "year": year,
                "staff": amount(amounts.staff),
                "office": amount(amounts.office),
                "total": amount(amounts.total),
            },
            [source(report)],
        )
    )
    percents = {segment.district_percent for segment in standards.segments}
    split = {"district": amount(amounts.district_share), "street": amount(amounts.street_share)}
    if percents == {Decimal(50)}:
        paragraphs.append(
            _("The district and the streets bear half each: %(district)s yuan and %(street)s yuan.")
            % split
        )
    else:
        paragraphs.append(
            _("The district bears %(district)s yuan and the streets %(street)s yuan.") % split
        )
    if result.party_city_district or result.party_street_match:
        paragraphs.append(
            _(
                "On top of this, city and district finance allocate %(city)s yuan for "
                "community party-affairs work, and the streets add a matching %(match)s yuan."
            )
            % {
                "city": amount(result.party_city_district),
                "match": amount(result.party_street_match),
            }
        )
    table = report_table(report, 2, ["staff", "office", "total", "district_share", "street_share"])
    return Section(heading=_("2. Funding"), paragraphs=paragraphs, tables=[table])


# 3. Facilities ----------------------------------------------------------------------------------
def facilities_section(
    *, year: int, user, day: datetime.date | None = None, problems: bool = True
) -> Section:
    """The premises in use; with ``problems``, also the shortfall and the premises lost
    (the yearly report says those in its part 三 instead)."""
    report = get_report_class("facilities")(user=user, year=year, as_of=day)
    total = report.rows()[0].values
    paragraphs = [
        _(
            "As of %(date)s, the %(operating)s operating committees have %(premises)s "
            "office and activity premises, %(area)s m² in all, about %(average)s m² per "
            "committee."
        )
        % {
            "date": as_of_text(day or year_end(year)),
            "operating": total["operating"],
            "premises": total["premises_in_use"],
            "area": amount(total["area_in_use"]),
            "average": grouped(total["area_per_committee"] or 0),
        }
    ]
    paragraphs[0] = Sentence(paragraphs[0], [source(report)])
    if problems and total["under_standard"]:
        paragraphs.append(
            _("%(count)s committees are below the area standard, %(shortfall)s m² short in all.")
            % {"count": total["under_standard"], "shortfall": amount(total["shortfall"])}
        )
    if problems and (total["never_built"] or total["diverted"]):
        paragraphs.append(
            _(
                "%(never_built)s planned premises were never built and %(diverted)s were "
                "diverted to other uses by developers."
            )
            % {"never_built": total["never_built"], "diverted": total["diverted"]}
        )
    table = report_table(
        report,
        3,
        ["premises_in_use", "area_in_use", "operating", "area_per_committee", "under_standard",
         "shortfall"],
    )  # fmt: skip
    return Section(heading=_("3. Facilities"), paragraphs=paragraphs, tables=[table])


def basic_situation_sections(
    *, year: int, user, day: datetime.date | None = None, problems: bool = True
) -> list[Section]:
    """The three sections of 一、基本情况, their counts taken on ``day`` (default 31
    December; the funding is the year's budget whatever the day). Without ``problems`` the
    facilities leave the shortfall and the lost premises to the report's part 三."""
    return [
        establishment_section(year=year, user=user, day=day),
        funding_section(year=year, user=user),
        facilities_section(year=year, user=user, day=day, problems=problems),
    ]


def basic_situation(*, year: int, user) -> BasicSituation:
    """The year's basic situation as ``user`` may see it (a street user: their street)."""
    unit = get_report_class("establishment")(user=user, year=year)
    return BasicSituation(
        year=year,
        title=_("%(unit)s community building: the basic situation (%(year)s)")
        % {"unit": unit.reporting_unit(), "year": year},
        heading=_("I. Basic situation"),
        sections=basic_situation_sections(year=year, user=user),
        generated_by=unit.generated_by(),
        generated_at=timezone.localtime(),
    )
