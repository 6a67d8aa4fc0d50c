from django import forms
from django.contrib import admin
from django.db.models import Count, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from imports.admin_flow import RegisterAdmin
from scoping.paginators import EstimatedCountPaginator

from .models import (
    Committee,
    CommunityCentre,
    District,
    PlanningStandard,
    Street,
    Title,
    people_in_post,
)
from .resources import (
    CommitteeResource,
    CommunityCentreResource,
    StreetResource,
    TitleResource,
)


@admin.register(District)
class DistrictAdmin(RegisterAdmin):
    list_display = ["name", "code", "city"]
    search_fields = ["name", "code"]


@admin.register(PlanningStandard)
class PlanningStandardAdmin(RegisterAdmin):
    list_display = ["area_type", "households"]


@admin.register(Street)
class StreetAdmin(RegisterAdmin):
    resource_classes = [StreetResource]
    list_display = ["name", "code", "short_name", "district", "sort_order"]
    list_select_related = ["district"]
    search_fields = ["name", "code", "short_name"]
    ordering = ["sort_order", "code"]


class TitleInline(admin.TabularInline):
    model = Title
    extra = 0
    fields = ["kind", "field", "name", "year"]


class CommitteeForm(forms.ModelForm):
    """The committee's form, with the confirmation a revocation may need: revoking a
    committee while people are still in post is refused (``Committee.check_revocation``,
    listing them) unless the user ticks the box, which ends those postings at the
    revocation date in the same save (``CommitteeAdmin.save_model``)."""

    end_postings = forms.BooleanField(
        label=_("Also end these people's postings (as of the revocation date)"),
        required=False,
        help_text=_(
            "Only when revoking a committee with people still in post: their postings end on "
            "the revocation date, each with its history."
        ),
    )

    class Meta:
        model = Committee
        fields = [
            "code", "name", "street", "kind", "status", "shares_office_with", "established_on",
            "revoked_on", "area_type", "households", "population", "one_stop_service",
            "one_stop_since",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        self.instance.end_postings_on_revocation = bool(cleaned.get("end_postings"))
        return cleaned


class CommitteePaginator(EstimatedCountPaginator):
    """The list's row count and its totals line (households, population) in one query:
    one pass over the scoped, filtered, searched committees where there were two (a
    search is a scan of every committee's code and name: 15 ms each at 20,000)."""

    @cached_property
    def totals(self):
        return self.object_list.aggregate(
            rows=Count("pk"), households=Sum("households"), population=Sum("population")
        )

    @cached_property
    def count(self):
        return self.totals["rows"]


@admin.register(Committee)
class CommitteeAdmin(RegisterAdmin):
    form = CommitteeForm
    paginator = CommitteePaginator
    resource_classes = [CommitteeResource]
    list_display = [
        "code",
        "name",
        "street",
        "kind",
        "status",
        "shares_office_with",
        "area_type",
        "households",
        "population",
        "one_stop_service",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["street", "status", "kind", "area_type", "one_stop_service"]
    list_select_related = ["street", "shares_office_with"]
    search_fields = ["code", "name"]
    # By pinyin (安 before 白 before 沙 before 张), through the (name_pinyin, code) index;
    # the autocompletes and list filters that offer committees follow it. The reports keep
    # the bureau's own order (street, code).
    ordering = ["name_pinyin", "code"]
    autocomplete_fields = ["shares_office_with"]
    inlines = [TitleInline]
    # import-export replaces change_list_template with its own; name ours (which extends
    # it) so that the totals line below the list is actually rendered.
    import_export_change_list_template = "admin/communities/committee/change_list.html"
    fieldsets = [
        (None, {"fields": ["code", "name", "street", "kind"]}),
        (
            _("Status"),
            {
                "fields": [
                    "status",
                    "shares_office_with",
                    "established_on",
                    "revoked_on",
                    "end_postings",
                ]
            },
        ),
        (_("Size"), {"fields": ["area_type", "households", "population"]}),
        (_("One-stop service"), {"fields": ["one_stop_service", "one_stop_since"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.end_postings_on_revocation:  # confirmed on the form; the admin's transaction
            ended = obj.end_postings_at_revocation()
            if ended:
                self.message_user(
                    request,
                    _("Postings ended on %(date)s: %(people)s.")
                    % {"date": obj.revoked_on.isoformat(), "people": people_in_post(ended)},
                )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["totals"] = context["cl"].paginator.totals  # counted with the rows
        return response


@admin.register(Title)
class TitleAdmin(RegisterAdmin):
    resource_classes = [TitleResource]
    list_display = ["committee", "kind", "field", "name", "year"]
    list_filter = ["kind", "field", "year", "committee__street"]
    list_select_related = ["committee"]
    search_fields = ["name", "committee__name", "committee__code"]
    autocomplete_fields = ["committee"]


class CommunityCentreForm(forms.ModelForm):
    class Meta:
        model = CommunityCentre
        fields = ["name", "street", "status", "status_date", "address", "committees"]

    def clean(self):
        cleaned = super().clean()
        street, committees = cleaned.get("street"), cleaned.get("committees")
        if street and committees:
            foreign = [c.name for c in committees if c.street_id != street.pk]
            if foreign:
                raise forms.ValidationError(
                    _("A centre serves committees of its own street only: %(names)s.")
                    % {"names": "、".join(foreign)}
                )
        return cleaned


@admin.register(CommunityCentre)
class CommunityCentreAdmin(RegisterAdmin):
    form = CommunityCentreForm
    resource_classes = [CommunityCentreResource]
    list_display = ["name", "street", "status", "status_date"]
    list_filter = ["street", "status"]
    list_select_related = ["street"]
    search_fields = ["name", "address"]
    filter_horizontal = ["committees"]
