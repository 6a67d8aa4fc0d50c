"""The notices pages: the list (a street's received notices, or the district's sent ones),
posting a notice, one notice (marking it read; for the district, who has read it) and its
attachment. Every read goes through :func:`scoping.rules.scope_queryset` with the user:
another street's notice is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from scoping.rules import scope_queryset, sees_all_streets

from .forms import KindFilterForm, NoticeForm
from .models import Notice
from .selectors import inbox, receipts, sent_notices
from .services import mark_read, may_post, post_notice

PER_PAGE = 30


def _require_view(user) -> None:
    if not user.has_perm("notices.view_notice"):
        raise PermissionDenied(_("You may not read notices."))


def _receives(user) -> bool:
    """Street staff receive notices; district roles send and follow them."""
    return not sees_all_streets(user) and bool(getattr(user, "street_id", None))


@login_required
def notice_list(request):
    user = request.user
    _require_view(user)
    filter_form = KindFilterForm(request.GET or None)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
    receives = _receives(user)
    rows = inbox(user, kind=kind) if receives else sent_notices(user, kind=kind)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/list.html",
        {
            "page": page,
            "receives": receives,
            "may_post": may_post(user),
            "filter_form": filter_form,
            "kind": kind,
        },
    )


@login_required
def notice_new(request):
    user = request.user
    if not may_post(user):
        raise PermissionDenied(_("Only the district's administrators and clerks post notices."))
    if request.method == "POST":
        form = NoticeForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            notice = post_notice(
                user=user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                streets=form.chosen_streets(),
                attachment=form.cleaned_data.get("attachment"),
            )
            messages.success(
                request,
                _("The notice was sent to %(count)s streets.")
                % {"count": notice.deliveries.count()},
            )
            return redirect("notices:detail", pk=notice.pk)
        status = 400
        # A browser cannot keep a chosen file: the page says to choose it again.
        file_lost = "attachment" in request.FILES or "attachment" in form.errors
    else:
        form = NoticeForm(user=user)
        status, file_lost = 200, False
    return render(
        request, "notices/new.html", {"form": form, "file_lost": file_lost}, status=status
    )


def _notice_for(user, pk) -> Notice:
    return get_object_or_404(scope_queryset(Notice.objects.select_related("sent_by"), user), pk=pk)


@login_required
def notice_detail(request, pk):
    user = request.user
    _require_view(user)
    notice = _notice_for(user, pk)
    reading = mark_read(notice, user)
    context = {"notice": notice, "reading": reading, "receives": _receives(user)}
    if not context["receives"]:
        context["receipts"] = receipts(notice)
    return render(request, "notices/detail.html", context)


@login_required
def notice_attachment(request, pk):
    user = request.user
    _require_view(user)
    notice = _notice_for(user, pk)
    if not notice.attachment:
        raise Http404(_("This notice has no attachment."))
    try:
        handle = notice.attachment.open("rb")
    except OSError:
        raise Http404(
            _("The attachment's file is missing; ask the district to send it again.")
        ) from None
    mark_read(notice, user)
    return FileResponse(
        handle, as_attachment=True, filename=notice.attachment_name or notice.attachment.name
    )
