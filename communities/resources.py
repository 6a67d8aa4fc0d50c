"""Import/export resources of the communities register: Chinese headers, natural keys."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from imports.registry import register_file
from scoping.resources import ChoiceWidget, ScopedForeignKeyWidget, ScopedResource

from .models import (
    AreaType,
    CentreStatus,
    Committee,
    CommitteeKind,
    CommitteeStatus,
    CommunityCentre,
    District,
    OneStopService,
    Street,
    Title,
    TitleField,
    TitleKind,
)


def committee_key(column_name=None, attribute="committee"):
    return fields.Field(
        attribute=attribute,
        column_name=column_name or _("committee code"),
        widget=ScopedForeignKeyWidget(
            Committee,
            "code",
            alternatives=("name",),
            listed=True,  # the template's drop-down: 南湖东路社区（320105001001）, by pinyin
            order_by=("name_pinyin", "code"),
        ),
    )


def street_key(attribute="street"):
    return fields.Field(
        attribute=attribute,
        column_name=_("street"),
        widget=street_widget(),
    )


def street_widget():
    """A street by name, short name or code; the template's drop-down offers
    南湖街道（320105001）, in the bureau's order."""
    return ScopedForeignKeyWidget(
        Street,
        "name",
        alternatives=("short_name", "code"),
        listed=True,
        order_by=("sort_order", "code"),
    )


@register_file("streets")
class StreetResource(ScopedResource):
    district = fields.Field(
        attribute="district",
        column_name=_("district"),
        widget=ScopedForeignKeyWidget(District, "name", alternatives=("code",)),
    )
    code = fields.Field(attribute="code", column_name=_("code"), widget=widgets.CharWidget())
    name = fields.Field(attribute="name", column_name=_("name"), widget=widgets.CharWidget())
    short_name = fields.Field(attribute="short_name", column_name=_("short name"), widget=widgets.CharWidget())
    sort_order = fields.Field(
        attribute="sort_order", column_name=_("order"), widget=widgets.IntegerWidget()
    )

    class Meta:
        model = Street
        import_id_fields = ("code",)
        fields = ("code", "name", "short_name", "district", "sort_order")
        skip_unchanged = True
        report_skipped = True


@register_file("committees")
class CommitteeResource(ScopedResource):
    code = fields.Field(attribute="code", column_name=_("code"), widget=widgets.CharWidget())
    name = fields.Field(attribute="name", column_name=_("name"), widget=widgets.CharWidget())
    street = street_key()
    kind = fields.Field(
        attribute="kind", column_name=_("kind"), widget=ChoiceWidget(CommitteeKind.choices)
    )
    status = fields.Field(
        attribute="status", column_name=_("status"), widget=ChoiceWidget(CommitteeStatus.choices)
    )
    shares_office_with = committee_key(_("shares office with"), "shares_office_with")
    area_type = fields.Field(
        attribute="area_type", column_name=_("area type"), widget=ChoiceWidget(AreaType.choices)
    )
    households = fields.Field(
        attribute="households", column_name=_("households"), widget=widgets.IntegerWidget()
    )
    population = fields.Field(
        attribute="population", column_name=_("population"), widget=widgets.IntegerWidget()
    )
    established_on = fields.Field(
        attribute="established_on", column_name=_("established on"), widget=widgets.DateWidget()
    )
    revoked_on = fields.Field(
        attribute="revoked_on", column_name=_("revoked on"), widget=widgets.DateWidget()
    )
    one_stop_service = fields.Field(
        attribute="one_stop_service",
        column_name=_("one-stop service"),
        widget=ChoiceWidget(OneStopService.choices),
    )
    one_stop_since = fields.Field(
        attribute="one_stop_since",
        column_name=_("one-stop service since"),
        widget=widgets.DateWidget(),
    )

    class Meta:
        model = Committee
        import_id_fields = ("code",)
        fields = (
            "code", "name", "street", "kind", "status", "shares_office_with", "area_type",
            "households", "population", "established_on", "revoked_on", "one_stop_service",
            "one_stop_since",
        )
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("street", "shares_office_with")


@register_file("titles")
class TitleResource(ScopedResource):
    committee = committee_key()
    kind = fields.Field(attribute="kind", column_name=_("kind"), widget=ChoiceWidget(TitleKind.choices))
    field = fields.Field(
        attribute="field", column_name=_("field"), widget=ChoiceWidget(TitleField.choices)
    )
    name = fields.Field(attribute="name", column_name=_("title name"), widget=widgets.CharWidget())
    year = fields.Field(attribute="year", column_name=_("year"), widget=widgets.IntegerWidget())

    class Meta:
        model = Title
        import_id_fields = ("committee", "kind", "field", "year")
        fields = ("committee", "kind", "field", "name", "year")
        skip_unchanged = True

    def get_queryset(self):
        return super().get_queryset().select_related("committee")


@register_file("centres")
class CommunityCentreResource(ScopedResource):
    name = fields.Field(attribute="name", column_name=_("name"), widget=widgets.CharWidget())
    street = street_key()
    status = fields.Field(
        attribute="status", column_name=_("status"), widget=ChoiceWidget(CentreStatus.choices)
    )
    status_date = fields.Field(
        attribute="status_date", column_name=_("status since"), widget=widgets.DateWidget()
    )
    address = fields.Field(attribute="address", column_name=_("address"), widget=widgets.CharWidget())

    class Meta:
        model = CommunityCentre
        import_id_fields = ("street", "name")
        fields = ("name", "street", "status", "status_date", "address")
        skip_unchanged = True

    def get_queryset(self):
        return super().get_queryset().select_related("street")
