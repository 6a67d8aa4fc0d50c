"""Admin of the staffing registers: positions, pay standards, people, postings, training, exam.

Every page is a ``ScopedAdmin``: street staff see and change their own street's roster only.
ID-card numbers are shown whole to administrators and masked to everyone else (list, change
form, exports).
"""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imports.admin_flow import RegisterAdmin
from scoping.admin_base import ScopedAdminMixin
from scoping.filters import year_filter

from .models import (
    Attendance,
    ExamResult,
    PayComponent,
    PayStandard,
    Person,
    Position,
    Posting,
    Qualification,
    TrainingClass,
    street_mismatch_message,
)
from .resources import (
    AttendanceResource,
    ExamResultResource,
    PayComponentResource,
    PayStandardResource,
    PersonResource,
    PositionResource,
    PostingResource,
    QualificationResource,
    TrainingClassResource,
    sees_id_numbers,
)


class ScopedInlineMixin(ScopedAdminMixin):
    """Inlines list only rows in the user's scope and offer only in-scope choices."""


# Positions and pay standards ---------------------------------------------------------------


class PayStandardInline(admin.TabularInline):
    model = PayStandard
    extra = 0
    fields = ["monthly_amount", "effective_from", "note"]


@admin.register(Position)
class PositionAdmin(RegisterAdmin):
    resource_classes = [PositionResource]
    list_display = ["name", "code", "is_paid", "paid_as", "posts_per_committee", "sort_order"]
    list_select_related = ["paid_as"]
    search_fields = ["name", "code"]
    inlines = [PayStandardInline]


@admin.register(PayStandard)
class PayStandardAdmin(RegisterAdmin):
    resource_classes = [PayStandardResource]
    list_display = ["position", "monthly_amount", "effective_from", "note"]
    list_filter = ["position", "effective_from"]
    list_select_related = ["position"]
    search_fields = ["position__name", "note"]
    date_hierarchy = "effective_from"


@admin.register(PayComponent)
class PayComponentAdmin(RegisterAdmin):
    """What each street pays beyond the standard; street staff keep their own street's."""

    resource_classes = [PayComponentResource]
    list_display = [
        "street", "kind", "position", "person", "basis", "amount", "effective_from", "note",
    ]
    list_filter = ["street", "kind", "position", "basis", "effective_from"]
    list_select_related = ["street", "position", "person"]
    search_fields = ["person__name", "note"]
    autocomplete_fields = ["person"]
    fields = ["street", "kind", "position", "person", "basis", "amount", "effective_from", "note"]


# People and postings -------------------------------------------------------------------------


class PostingInlineForm(forms.ModelForm):
    class Meta:
        model = Posting
        fields = ["committee", "position", "start_date", "end_date"]

    def clean(self):
        # Overlaps and the street rule need every posting of the page: the formset checks them.
        self.instance.checked_with_siblings = True
        return super().clean()


class PostingInlineFormSet(forms.BaseInlineFormSet):
    """Checks the postings of the page together: no overlaps; the latest sets the street."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        person = self.instance
        edited = {}
        rows = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None):
                continue
            if form.instance.pk:
                edited[form.instance.pk] = True
            if form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            if data.get("committee") and data.get("start_date"):
                rows.append((data["start_date"], data.get("end_date"), data["committee"]))
        if person.pk:
            others = Posting.objects.filter(person=person).exclude(pk__in=edited)
            rows += [
                (p.start_date, p.end_date, p.committee)
                for p in others.select_related("committee__street")
            ]
        far = datetime.date.max
        ordered = sorted(rows, key=lambda r: r[0])
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if (earlier[1] or far) >= later[0]:
                raise ValidationError(
                    gettext("This person already has a posting in that period; end it first.")
                )
        if ordered and person.street_id:
            latest = max(ordered, key=lambda r: (r[0], r[1] or far))
            if latest[2].street_id != person.street_id:
                raise ValidationError(street_mismatch_message(latest[2]))


class PostingInline(ScopedInlineMixin, admin.TabularInline):
    model = Posting
    form = PostingInlineForm
    formset = PostingInlineFormSet
    extra = 0
    fields = ["committee", "position", "start_date", "end_date"]
    autocomplete_fields = ["committee"]
    ordering = ["start_date"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("committee", "position")


class ExamResultInline(ScopedInlineMixin, admin.TabularInline):
    model = ExamResult
    extra = 0
    fields = ["passed_on", "score", "certificate_number"]


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "street",
            "education",
            "party_member",
        ]

    def clean(self):
        # Checked with the postings being edited on the same page (PostingInlineFormSet).
        self.instance.skip_posting_street_check = True
        return super().clean()


@admin.register(Person)
class PersonAdmin(RegisterAdmin):
    form = PersonAdminForm
    resource_classes = [PersonResource]
    list_display = [
        "name",
        "gender",
        "birth_date",
        "id_number",
        "education",
        "party_member",
        "street",
        "current_committee",
        "current_position",
    ]
    list_filter = [
        "street",
        "postings__position",
        "postings__committee__status",
        "education",
        "party_member",
        "gender",
    ]
    list_select_related = ["street"]
    search_fields = ["name", "=id_number", "phone"]
    # By name (indexed): the model's street-then-name order joins and sorts every person
    # of the province for each page (235 ms for 250,000 people; 4 ms this way).
    ordering = ["name"]
    inlines = [PostingInline, ExamResultInline]

    def get_queryset(self, request):
        latest = Posting.objects.filter(person=OuterRef("pk")).order_by("-start_date")
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_committee_name=Subquery(latest.values("committee__name")[:1]),
                current_position_name=Subquery(latest.values("position__name")[:1]),
            )
        )

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        if not sees_id_numbers(request.user):
            shown[shown.index("id_number")] = "masked_id_number"
        return shown

    def get_fieldsets(self, request, obj=None):
        number = "id_number"
        if obj is not None and not sees_id_numbers(request.user):
            number = "masked_id_number"
        return [
            (None, {"fields": ["name", "gender", "birth_date", number, "phone"]}),
            (_("Roster"), {"fields": ["street", "education", "party_member"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not sees_id_numbers(request.user):
            readonly.append("masked_id_number")
        return readonly

    @admin.display(description=_("ID-card number"))
    def masked_id_number(self, person):
        return person.masked_id_number

    @admin.display(description=_("committee"), ordering="current_committee_name")
    def current_committee(self, person):
        return person.current_committee_name or "—"

    @admin.display(description=_("position"), ordering="current_position_name")
    def current_position(self, person):
        return person.current_position_name or "—"


class InPostFilter(admin.SimpleListFilter):
    title = _("in post")
    parameter_name = "in_post"

    def lookups(self, request, model_admin):
        return [("yes", _("In post today")), ("no", _("Ended"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        in_post = Posting.objects.in_post_on(today).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=in_post)
        if self.value() == "no":
            return queryset.exclude(pk__in=in_post)
        return queryset


@admin.register(Posting)
class PostingAdmin(RegisterAdmin):
    resource_classes = [PostingResource]
    list_display = ["person", "committee", "street", "position", "start_date", "end_date"]
    list_filter = [
        InPostFilter,
        year_filter("start_date", _("started in")),
        "committee__street",
        "position",
        "committee__status",
        "person__education",
        "person__party_member",
    ]
    list_select_related = ["person", "committee__street", "position"]
    search_fields = ["person__name", "committee__name", "committee__code"]
    autocomplete_fields = ["person", "committee"]
    # No date_hierarchy: on 250,000 postings its distinct years scan the table on every page.

    @admin.display(description=_("street"), ordering="committee__street__sort_order")
    def street(self, posting):
        return posting.committee.street


# Training and the exam -----------------------------------------------------------------------


class AttendanceInline(ScopedInlineMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["person"]
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


@admin.register(TrainingClass)
class TrainingClassAdmin(RegisterAdmin):
    resource_classes = [TrainingClassResource]
    list_display = ["title", "date", "subject", "hours", "trainee_times"]
    list_filter = ["subject", "date"]
    search_fields = ["title"]
    date_hierarchy = "date"
    inlines = [AttendanceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendance_count=Count("attendances"))

    @admin.display(description=_("trainee-times"), ordering="attendance_count")
    def trainee_times(self, training_class):
        return training_class.attendance_count


@admin.register(Attendance)
class AttendanceAdmin(RegisterAdmin):
    resource_classes = [AttendanceResource]
    list_display = ["training_class", "class_date", "person", "person_street"]
    list_filter = ["training_class__subject", "person__street"]
    list_select_related = ["training_class", "person__street"]
    search_fields = ["person__name", "training_class__title"]
    autocomplete_fields = ["training_class", "person"]

    @admin.display(description=_("date"), ordering="training_class__date")
    def class_date(self, attendance):
        return attendance.training_class.date

    @admin.display(description=_("street"), ordering="person__street__sort_order")
    def person_street(self, attendance):
        return attendance.person.street


@admin.register(ExamResult)
class ExamResultAdmin(RegisterAdmin):
    resource_classes = [ExamResultResource]
    list_display = ["person", "person_street", "passed_on", "score", "certificate_number"]
    list_filter = ["person__street", "passed_on"]
    list_select_related = ["person__street"]
    search_fields = ["person__name", "certificate_number"]
    autocomplete_fields = ["person"]
    date_hierarchy = "passed_on"

    @admin.display(description=_("street"), ordering="person__street__sort_order")
    def person_street(self, result):
        return result.person.street


@admin.register(Qualification)
class QualificationAdmin(RegisterAdmin):
    """IT operators' qualifications (持证上岗), recorded apart from the skills exam."""

    resource_classes = [QualificationResource]
    list_display = ["person", "person_street", "kind", "qualified_on", "valid_until",
                    "certificate_number"]  # fmt: skip
    list_filter = ["kind", "person__street", "qualified_on"]
    list_select_related = ["person__street"]
    search_fields = ["person__name", "certificate_number"]
    autocomplete_fields = ["person"]
    date_hierarchy = "qualified_on"

    @admin.display(description=_("street"), ordering="person__street__sort_order")
    def person_street(self, qualification):
        return qualification.person.street
