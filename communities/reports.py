"""Report tables of the communities register."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.registry import Column, ColumnKind, Report, Row, RowLevel, register

from .models import AreaType, Committee, CommitteeKind, CommitteeStatus
from .selectors import implied_committees, planning_check, planning_standards


def as_of(report) -> datetime.date:
    """The day a report's figures are taken on: ``as_of`` (the yearly text's date) when
    given, else 31 December of its year."""
    return report.options.get("as_of") or datetime.date(report.year, 12, 31)


@register
class EstablishmentReport(Report):
    """社区居委会建制情况表: committees established, operating, sharing, 村代居, households."""

    identifier = "establishment"
    verbose_name = _("Establishment of community residents' committees")
    form_number = "建民社1表"
    unit = _("committees, households, people")

    def columns(self):
        return [
            Column("established", _("Committees established")),
            Column("operating", _("Operating")),
            Column("sharing", _("Sharing an office, not revoked")),
            Column("village", _("Village committees acting as residents' committees")),
            Column("urban_households", _("Households")),
            Column("urban_population", _("Population")),
            Column("village_households", _("Households of village committees")),
        ]

    def street_values(self):
        """Every figure per street, counted in the database (one query)."""
        urban = Q(kind=CommitteeKind.URBAN)
        village = Q(kind=CommitteeKind.VILLAGE)
        return {
            entry.pop("street"): entry
            for entry in self.scoped(Committee.objects.existing_on(as_of(self)))
            .values("street")
            .annotate(
                established=Count("pk", filter=urban),
                operating=Count("pk", filter=urban & Q(status=CommitteeStatus.OPERATING)),
                sharing=Count("pk", filter=urban & Q(status=CommitteeStatus.SHARING)),
                village=Count("pk", filter=village),
                urban_households=Sum("households", filter=urban, default=0),
                urban_population=Sum("population", filter=urban, default=0),
                village_households=Sum("households", filter=village, default=0),
            )
            .order_by()
        }

    def rows(self):
        per_street = self.street_values()
        columns = self.columns()
        street_rows = []
        for street in self.streets():
            entry = per_street.get(street.pk, {})
            street_rows.append(
                Row(
                    label=street.name,
                    values={c.key: entry.get(c.key, 0) for c in columns},
                    level=RowLevel.STREET,
                )
            )
        return [self.total_row(street_rows, columns), *street_rows]


PLANNING_COUNTS = ("committees", "households", "over", "under")


@register
class PlanningReport(Report):
    """社区规模与规划标准对照表: each urban committee's households against the planning
    standard of its area type (2,400 households in consolidated old areas, 4,000 in new
    ones), and the number of committees the standard implies. A planning measure for the
    year, not a check of a quarterly return."""

    identifier = "planning"
    verbose_name = _("Committee size against the planning standard")
    form_number = "建民社7表"
    unit = _("committees, households")

    def columns(self):
        return [
            Column("area_type", _("Area type"), ColumnKind.TEXT),
            Column("standard", _("Standard (households per community)"), ColumnKind.TEXT),
            Column("committees", _("Committees")),
            Column("households", _("Households")),
            Column("over", _("Committees over the standard")),
            Column("under", _("Committees under the standard")),
            Column("implied", _("Committees the standard implies"), ColumnKind.DECIMAL),
            Column("difference", _("Committees less those implied"), ColumnKind.DECIMAL),
        ]

    def standards(self):
        if not hasattr(self, "_standards"):
            self._standards = planning_standards()
        return self._standards

    def area_type_label(self, area_type) -> str:
        """``Committee.get_area_type_display()``, the labels translated once per report
        rather than once per committee (a province has 20,000)."""
        if not hasattr(self, "_area_labels"):
            field = Committee._meta.get_field("area_type")
            self._area_labels = {code: str(label) for code, label in field.flatchoices}
        return self._area_labels.get(area_type, area_type)

    def committee_values(self, committee) -> dict:
        values = {
            "area_type": self.area_type_label(committee.area_type),
            "standard": str(committee.standard) if committee.standard else "",
            "committees": 1,
            "households": committee.households,
            "over": int(committee.against == "over"),
            "under": int(committee.against == "under"),
            f"households_{committee.area_type}": committee.households,
        }
        values["implied"] = implied_committees(committee.households, committee.standard)
        values["difference"] = None if values["implied"] is None else Decimal(1) - values["implied"]
        return values

    def combine(self, values):
        totals = {key: sum(v.get(key) or 0 for v in values) for key in PLANNING_COUNTS}
        implied = Decimal(0)
        known = False
        for area_type in AreaType.values:
            households = sum(v.get(f"households_{area_type}") or 0 for v in values)
            totals[f"households_{area_type}"] = households
            part = implied_committees(households, self.standards().get(area_type))
            if part is not None:
                implied += part
                known = True
        totals["implied"] = implied if known else None
        totals["difference"] = totals["committees"] - implied if known else None
        return totals

    def committees(self):
        if not hasattr(self, "_committees"):
            self._committees = planning_check(day=as_of(self), user=self.user)
        return self._committees

    def street_values(self):
        by_street: dict[int, list[dict]] = {}
        for committee in self.committees():
            by_street.setdefault(committee.street_id, []).append(self.committee_values(committee))
        return {key: self.combine(values) for key, values in by_street.items()}

    def rows(self):
        if hasattr(self, "_rows"):
            return self._rows
        by_street: dict[int, list] = {}
        for committee in self.committees():
            by_street.setdefault(committee.street_id, []).append(committee)
        body, everything = [], []
        for street in self.streets():
            members = by_street.get(street.pk, [])
            values = [self.committee_values(c) for c in members]
            everything.extend(values)
            body.append(Row(label=street.name, values=self.combine(values)))
            body.extend(
                Row(label=c.name, values=v, level=RowLevel.COMMITTEE)
                for c, v in zip(members, values, strict=True)
            )
        total = Row(label=gettext("Total"), values=self.combine(everything), level=RowLevel.TOTAL)
        self._rows = [total, *body]
        return self._rows

    def notes(self):
        standards = self.standards()
        notes = [
            gettext(
                "Urban residents' committees existing on %(date)s, with the households of "
                "the register. The committees the standard implies are the households of "
                "each area type divided by its standard, to one decimal."
            )
            % {"date": as_of(self).isoformat()}
        ]
        if standards:
            notes.append(
                gettext("Planning standard: %(list)s.")
                % {
                    "list": "；".join(
                        gettext("%(area)s %(households)s households per community")
                        % {"area": AreaType(key).label, "households": value}
                        for key, value in sorted(standards.items())
                    )
                }
            )
        return notes
