"""Admin of quarterly returns, validation rules and deadlines.

Returns are read-only here (the figures are typed on the street's grid page); the actions
call :mod:`returns.workflow`, the same functions as the pages.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from imports.admin_flow import RegisterAdmin

from .forms import ReasonForm
from .models import QuarterDeadline, QuarterlyReturn, ReturnEvent, ValidationRule
from .resources import QuarterlyReturnResource
from .workflow import (
    WorkflowError,
    return_approve,
    return_reopen,
    return_send_back,
    return_submit,
)


@admin.register(ValidationRule)
class ValidationRuleAdmin(RegisterAdmin):
    list_display = ["name", "expression", "severity", "message", "active", "order"]
    list_filter = ["severity", "active"]
    search_fields = ["name", "expression", "message"]


@admin.register(QuarterDeadline)
class QuarterDeadlineAdmin(RegisterAdmin):
    list_display = ["year", "quarter", "due_on"]


class ReturnEventInline(admin.TabularInline):
    model = ReturnEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "from_status", "to_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, function, done, **kwargs):
    try:
        function(returns=list(queryset), user=request.user, **kwargs)
    except WorkflowError as exc:
        for message in exc.messages:
            modeladmin.message_user(request, message, messages.ERROR)
        return
    except PermissionDenied as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    modeladmin.message_user(request, done % {"count": queryset.count()}, messages.SUCCESS)


def _with_reason(modeladmin, request, queryset, function, done, title):
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        _run(modeladmin, request, queryset, function, done, reason=form.cleaned_data["reason"])
        return None
    return TemplateResponse(
        request,
        "returns/admin_reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


@admin.register(QuarterlyReturn)
class QuarterlyReturnAdmin(RegisterAdmin):
    resource_classes = [QuarterlyReturnResource]
    list_display = [
        "committee",
        "street",
        "year",
        "quarter",
        "status",
        "households",
        "changed_flag",
        "updated_at",
        "grid_link",
    ]
    list_filter = ["year", "quarter", "status", "committee__street"]
    list_select_related = ["committee__street"]
    search_fields = ["committee__name", "committee__code"]
    inlines = [ReturnEventInline]
    actions = ["submit_selected", "approve_selected", "send_back_selected", "reopen_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("street"), ordering="committee__street__sort_order")
    def street(self, obj):
        return obj.committee.street

    @admin.display(description=_("changed since approval"), boolean=True)
    def changed_flag(self, obj):
        return obj.changed_since_approval

    @admin.display(description=_("grid"))
    def grid_link(self, obj):
        url = reverse("returns:return-grid", args=[obj.year, obj.quarter])
        return format_html(
            '<a href="{}?street={}">{}</a>', url, obj.committee.street_id, _gettext("open")
        )

    @admin.action(description=_("Submit selected returns"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        _run(self, request, queryset, return_submit, _gettext("Submitted %(count)s return(s)."))

    @admin.action(description=_("Approve selected returns"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        _run(self, request, queryset, return_approve, _gettext("Approved %(count)s return(s)."))

    @admin.action(description=_("Send selected returns back"), permissions=["return"])
    def send_back_selected(self, request, queryset):
        return _with_reason(
            self,
            request,
            queryset,
            return_send_back,
            _gettext("Sent %(count)s return(s) back."),
            _gettext("Send returns back"),
        )

    @admin.action(description=_("Reopen selected returns"), permissions=["reopen"])
    def reopen_selected(self, request, queryset):
        return _with_reason(
            self,
            request,
            queryset,
            return_reopen,
            _gettext("Reopened %(count)s return(s)."),
            _gettext("Reopen returns"),
        )

    def has_submit_permission(self, request):
        return request.user.has_perm("returns.submit_quarterlyreturn")

    def has_approve_permission(self, request):
        return request.user.has_perm("returns.approve_quarterlyreturn")

    def has_return_permission(self, request):
        return request.user.has_perm("returns.return_quarterlyreturn")

    def has_reopen_permission(self, request):
        return request.user.has_perm("returns.reopen_quarterlyreturn")


@admin.register(ReturnEvent)
class ReturnEventAdmin(RegisterAdmin):
    # The audit trail is written by returns.workflow only: it can be read and exported,
    # never imported.
    def has_import_permission(self, request):
        return False

    list_display = ["quarterly_return", "at", "actor", "from_status", "to_status", "reason"]
    list_filter = ["to_status"]
    list_select_related = ["quarterly_return__committee", "actor"]
    search_fields = ["quarterly_return__committee__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
