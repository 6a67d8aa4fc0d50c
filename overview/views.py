from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from reports.forms import YearForm
from reports.rendering import render_docx
from scoping.downloads import attachment

from .basic_situation import basic_situation
from .dashboard import dashboard, latest_data_year
from .forms import YearlyReportForm
from .todo import todo_for
from .yearly_report import yearly_report


@login_required
def home(request):
    """The home page, the page after login: the user's to-do list (待办, :mod:`overview.todo`),
    then the dashboard. ``?year=`` chooses the dashboard's year (default: the latest year
    with data the user may see); a street user sees their street."""
    form = YearForm(request.GET if "year" in request.GET else None)
    if form.is_valid():
        year = form.cleaned_data["year"]
    else:
        year = latest_data_year(user=request.user)
        if not form.is_bound:
            form = YearForm(initial={"year": year})
    data = dashboard(year=year, user=request.user)
    return render(
        request,
        "overview/home.html",
        {
            "form": form,
            "todo": todo_for(request.user),
            "dashboard": data,
            "figures": data.figures,
            "charts": data.charts,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def basic_situation_view(request):
    """The yearly 基本情况 as a page, or as a .docx with ``format=docx``."""
    form = YearForm(request.GET if "year" in request.GET else None)
    if form.is_bound and not form.is_valid():
        return render(request, "overview/basic_situation.html", {"form": form}, status=400)
    year = form.cleaned_data["year"] if form.is_bound else latest_data_year(user=request.user)
    if not form.is_bound:
        form = YearForm(initial={"year": year})
    situation = basic_situation(year=year, user=request.user)
    output = request.GET.get("format", "html")
    if output == "docx":
        # Named as the document is titled (建邺区社区建设基本情况（2006年）.docx), like the tables.
        return attachment(render_docx(situation), "docx", str(situation.title))
    if output != "html":
        raise Http404(_("Unknown format."))
    return render(request, "overview/basic_situation.html", {"form": form, "situation": situation})


@login_required
def yearly_report_view(request):
    """The whole yearly report (一、二、三) as a page, or as a .docx with ``format=docx``;
    ``as_of`` a day of the year (default 31 December), ``since`` the year training is
    counted from."""
    form = YearlyReportForm(request.GET if "year" in request.GET else None)
    if form.is_bound and not form.is_valid():
        return render(request, "overview/yearly_report.html", {"form": form}, status=400)
    if form.is_bound:
        year = form.cleaned_data["year"]
        day, since = form.cleaned_data["as_of"], form.cleaned_data["since"]
    else:
        year, day, since = latest_data_year(user=request.user), None, None
        form = YearlyReportForm(initial={"year": year})
    report = yearly_report(year=year, user=request.user, day=day, since=since)
    output = request.GET.get("format", "html")
    if output == "docx":
        return attachment(render_docx(report), "docx", str(report.title))
    if output != "html":
        raise Http404(_("Unknown format."))
    return render(request, "overview/yearly_report.html", {"form": form, "situation": report})
