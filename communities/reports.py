"""Report tables of the communities register."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from reports.registry import Column, Report, Row, RowLevel, register

from .models import Committee, CommitteeKind, CommitteeStatus


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
            for entry in self.scoped(Committee.objects.established_in(self.year))
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
