"""Report tables of the facilities register."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Committee, CommitteeKind, CommitteeStatus
from reports.registry import Column, ColumnKind, Report, Row, RowLevel, register

from .models import Compliance
from .selectors import (
    area_standard_on,
    committees_with_area,
    compliance_by_committee,
    function_standard_items,
    quantize_area,
    year_end,
)

COUNTS = ("premises_in_use", "operating", "under_standard", "planned", "never_built", "diverted")
AREAS = ("area_in_use", "shortfall")


def as_decimal(value) -> Decimal:
    """A number from a raw query as an exact decimal (SQLite gives floats: their shortest
    text, 12.35 rather than 12.3499999...)."""
    if value is None:
        return Decimal(0)
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, rounded once, half up, to one decimal (2 of 3 is
    66.7): the value the page and the workbook both print."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def area_per_committee(area: Decimal, operating: int) -> Decimal | None:
    if not operating:
        return None
    return quantize_area(Decimal(area) / operating)


@register
class FacilitiesReport(Report):
    """社区居委会办公活动用房情况表: premises and area in use, shortfalls, lost premises."""

    identifier = "facilities"
    verbose_name = gettext_lazy("Office and activity premises of residents' committees")
    form_number = "建民社3表"
    unit = gettext_lazy("premises, committees, m²")

    def columns(self):
        return [
            Column("premises_in_use", _("Premises in use")),
            Column("area_in_use", _("Area in use (m²)"), ColumnKind.AREA),
            Column("operating", _("Operating committees")),
            Column("area_per_committee", _("Area per operating committee (m²)"), ColumnKind.AREA),
            Column("under_standard", _("Committees under the area standard")),
            Column("shortfall", _("Shortfall against the standard (m²)"), ColumnKind.AREA),
            Column("planned", _("Premises planned, not yet built")),
            Column("never_built", _("Premises planned but never built")),
            Column("diverted", _("Premises diverted to other use")),
        ]

    def day(self):
        """The day the figures are taken on: 31 December, or the yearly text's ``as_of``."""
        return self.options.get("as_of") or year_end(self.year)

    def standard(self):
        if not hasattr(self, "_standard"):
            self._standard = area_standard_on(day=self.day())
        return self._standard

    def committee_values(self, committee) -> dict:
        operating = int(committee.status == CommitteeStatus.OPERATING)
        area = quantize_area(committee.area_in_use)
        shortfall = quantize_area(committee.shortfall)
        return {
            "premises_in_use": committee.premises_in_use,
            "area_in_use": area,
            "operating": operating,
            "area_per_committee": area_per_committee(area, operating),
            "under_standard": int(shortfall > 0),
            "shortfall": shortfall,
            "planned": committee.planned,
            "never_built": committee.never_built,
            "diverted": committee.diverted,
        }

    @staticmethod
    def sum_values(values: list[dict]) -> dict:
        totals = {key: sum(v[key] for v in values) for key in COUNTS}
        totals.update({key: sum((v[key] for v in values), Decimal(0)) for key in AREAS})
        totals["area_per_committee"] = area_per_committee(
            totals["area_in_use"], totals["operating"]
        )
        return totals

    def combine(self, values):
        totals = self.sum_values(values)
        # Not a column: what the dashboard's chart compares the area in use with.
        totals["required_area"] = sum((v.get("required_area", 0) for v in values), Decimal(0))
        return totals

    def street_values(self):
        """Every figure per street in one query: the committees' figures of the full table
        (``committees_with_area``, one row per committee inside the database), each
        committee's shortfall rounded to the hundredth, added up per street."""
        inner = committees_with_area(
            year=self.year, user=self.user, standard=self.standard(), day=self.day()
        ).values(
            "street_id", "status", "premises_in_use", "area_in_use", "planned", "never_built",
            "diverted", "required_area", "shortfall",
        )  # fmt: skip
        sql, params = inner.query.sql_with_params()
        operating = "CASE WHEN status = %s THEN {} ELSE 0 END"
        query = (
            "SELECT street_id, SUM(premises_in_use), SUM(area_in_use), "
            f"SUM({operating.format(1)}), SUM(CASE WHEN ROUND(shortfall, 2) > 0 THEN 1 ELSE 0 END), "
            "SUM(ROUND(shortfall, 2)), SUM(planned), SUM(never_built), SUM(diverted), "
            f"SUM({operating.format('required_area')}) "
            f"FROM ({sql}) per_committee GROUP BY street_id"
        )
        with connections[inner.db].cursor() as cursor:
            cursor.execute(query, (CommitteeStatus.OPERATING, CommitteeStatus.OPERATING, *params))
            found = cursor.fetchall()
        result = {}
        for row in found:
            street_id, premises, area, operating, under, short, planned, never, diverted = row[:9]
            needed = row[9]
            area = quantize_area(as_decimal(area))
            result[street_id] = {
                "premises_in_use": int(premises or 0),
                "area_in_use": area,
                "operating": int(operating or 0),
                "area_per_committee": area_per_committee(area, int(operating or 0)),
                "under_standard": int(under or 0),
                "shortfall": quantize_area(as_decimal(short)),
                "planned": int(planned or 0),
                "never_built": int(never or 0),
                "diverted": int(diverted or 0),
                "required_area": quantize_area(as_decimal(needed)),
            }
        return result

    def committee_label(self, committee) -> str:
        if committee.status == CommitteeStatus.SHARING and committee.shares_office_with:
            return _("%(name)s (works from %(host)s's office)") % {
                "name": committee.name,
                "host": committee.shares_office_with.name,
            }
        return committee.name

    def rows(self):
        if hasattr(self, "_rows"):
            return self._rows
        committees = list(
            committees_with_area(
                year=self.year, user=self.user, standard=self.standard(), day=self.day()
            )
            .select_related("shares_office_with")
            .order_by("street__sort_order", "street__code", "code")
        )
        by_street: dict[int, list] = {}
        for committee in committees:
            by_street.setdefault(committee.street_id, []).append(committee)
        all_values, body = [], []
        for street in self.streets():
            members = by_street.get(street.pk, [])
            values = [self.committee_values(c) for c in members]
            all_values.extend(values)
            body.append(Row(label=street.name, values=self.sum_values(values)))
            body.extend(
                Row(
                    label=self.committee_label(c),
                    values=v,
                    level=RowLevel.COMMITTEE,
                    extra={"committee_id": c.pk},
                )
                for c, v in zip(members, values, strict=True)
            )
        total = Row(label=_("Total"), values=self.sum_values(all_values), level=RowLevel.TOTAL)
        self._rows = [total, *body]
        return self._rows

    def notes(self):
        standard = self.standard()
        notes = [
            _(
                "Premises in use on 31 December %(year)s; planned, never-built and diverted "
                "premises are not counted among them. Committees that work from another "
                "committee's office are not operating committees and need no premises."
            )
            % {"year": self.year}
        ]
        if standard is None:
            notes.append(_("No area standard was in effect; no shortfall is computed."))
            return notes
        values = {
            "date": standard.effective_from.isoformat(),
            "floor": standard.floor_area,
            "rate": standard.area_per_100_households,
        }
        if standard.floor_area is not None and standard.area_per_100_households is not None:
            text = _(
                "Area standard in effect since %(date)s: the larger of %(floor)s m² and "
                "%(rate)s m² per 100 households."
            )
        elif standard.floor_area is not None:
            text = _("Area standard in effect since %(date)s: at least %(floor)s m².")
        else:
            text = _("Area standard in effect since %(date)s: %(rate)s m² per 100 households.")
        notes.append(text % values)
        return notes


@register
class FunctionStandardReport(Report):
    """一校两站三栏四室六有六统一达标情况表: each operating committee's share and missing items."""

    identifier = "function-standard"
    verbose_name = gettext_lazy("Compliance with the community function standard")
    form_number = "建民社6表"
    unit = gettext_lazy("items, %")

    def columns(self):
        return [
            Column("committees", _("Operating committees")),
            Column("items", _("Items of the standard")),
            Column("met", _("Items met")),
            Column("share", _("Share met"), ColumnKind.PERCENT),
            Column("fully_met", _("Committees meeting every item")),
            Column("missing", _("Missing items"), ColumnKind.TEXT),
        ]

    @staticmethod
    def group_values(summaries) -> dict:
        items = sum(s.total for s in summaries)
        met = sum(s.met for s in summaries)
        return {
            "committees": len(summaries),
            "items": items,
            "met": met,
            "share": percent(met, items),
            "fully_met": sum(1 for s in summaries if s.total and not s.missing),
        }

    def combine(self, values):
        items = sum(v["items"] for v in values)
        met = sum(v["met"] for v in values)
        return {
            "committees": sum(v["committees"] for v in values),
            "items": items,
            "met": met,
            "share": percent(met, items),
            "fully_met": sum(v["fully_met"] for v in values),
        }

    def street_values(self):
        """Per street, in one query: operating committees, items met (counted per committee
        in the database) and committees meeting every item."""
        items = len(function_standard_items())
        met = (
            Compliance.objects.filter(committee=OuterRef("pk"), year=self.year, met=True)
            .order_by()
            .values("committee")
            .annotate(n=Count("item", distinct=True))
            .values("n")
        )
        per_street = (
            self.scoped(Committee.objects.established_in(self.year))
            .filter(kind=CommitteeKind.URBAN, status=CommitteeStatus.OPERATING)
            .annotate(met_items=Coalesce(Subquery(met, output_field=IntegerField()), 0))
            .values("street")
            .annotate(
                committees=Count("pk"),
                met=Sum("met_items", default=0),
                fully_met=Count("pk", filter=Q(met_items__gte=items)),
            )
            .order_by()
        )
        result = {}
        for entry in per_street:
            committees = entry["committees"]
            result[entry["street"]] = self.combine(
                [
                    {
                        "committees": committees,
                        "items": committees * items,
                        "met": entry["met"] or 0,
                        "fully_met": entry["fully_met"] if items else 0,
                    }
                ]
            )
        return result

    def rows(self):
        if hasattr(self, "_rows"):
            return self._rows
        summaries = sorted(
            compliance_by_committee(year=self.year, user=self.user).values(),
            key=lambda s: s.committee.code,
        )
        by_street: dict[int, list] = {}
        for summary in summaries:
            by_street.setdefault(summary.committee.street_id, []).append(summary)
        body = []
        for street in self.streets():
            members = by_street.get(street.pk, [])
            body.append(Row(label=street.name, values=self.group_values(members)))
            for summary in members:
                values = self.group_values([summary])
                values["missing"] = "、".join(summary.missing_names)
                body.append(
                    Row(
                        label=summary.committee.name,
                        values=values,
                        level=RowLevel.COMMITTEE,
                        extra={"committee_id": summary.committee.pk},
                    )
                )
        total = Row(label=_("Total"), values=self.group_values(summaries), level=RowLevel.TOTAL)
        self._rows = [total, *body]
        return self._rows
