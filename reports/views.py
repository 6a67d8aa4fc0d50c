from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .basic_situation import basic_situation, render_docx
from .dashboard import latest_data_year
from .forms import ReportParametersForm, YearForm
from .registry import REPORTS, ReportError, get_report_class
from .rendering import html_context, render_csv, render_xlsx

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def attachment(body: bytes, output: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[output])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{output}"'
    return response


@login_required
def report_list(request):
    """Every report with its parameters and a button per format; the yearly basic situation."""
    year = latest_data_year(user=request.user)
    entries = [
        {
            "report": report_class,
            "form": ReportParametersForm(
                report_class=report_class, user=request.user, year=year
            ),
        }
        for report_class in REPORTS
    ]
    return render(
        request,
        "reports/report_list.html",
        {"entries": entries, "situation_form": YearForm(initial={"year": year})},
    )


@login_required
def report_detail(request, identifier):
    try:
        report_class = get_report_class(identifier)
    except ReportError as exc:
        raise Http404(str(exc)) from exc
    form = ReportParametersForm(
        request.GET or None,
        report_class=report_class,
        user=request.user,
        year=None if request.GET else latest_data_year(user=request.user),
    )
    context = {"report_class": report_class, "form": form}
    if not form.is_valid():
        return render(
            request, "reports/report_detail.html", context, status=200 if not request.GET else 400
        )
    try:
        report = report_class(
            user=request.user, **{k: v for k, v in form.cleaned_data.items() if v is not None}
        )
    except ReportError as exc:
        form.add_error(None, str(exc))
        return render(request, "reports/report_detail.html", context, status=400)
    output = request.GET.get("format", "html")
    if output in ("xlsx", "csv"):
        body = render_xlsx(report) if output == "xlsx" else render_csv(report)
        filename = f"{report.identifier}-{report.year}"
        if report.quarter:
            filename += f"-Q{report.quarter}"
        return attachment(body, output, filename)
    if output != "html":
        raise Http404(_("Unknown format."))
    context.update(html_context(report))
    return render(request, "reports/report_detail.html", context)


@login_required
def basic_situation_view(request):
    """The yearly 基本情况 as a page, or as a .docx with ``format=docx``."""
    form = YearForm(request.GET if "year" in request.GET else None)
    if form.is_bound and not form.is_valid():
        return render(request, "reports/basic_situation.html", {"form": form}, status=400)
    year = form.cleaned_data["year"] if form.is_bound else latest_data_year(user=request.user)
    if not form.is_bound:
        form = YearForm(initial={"year": year})
    situation = basic_situation(year=year, user=request.user)
    output = request.GET.get("format", "html")
    if output == "docx":
        return attachment(render_docx(situation), "docx", f"basic-situation-{year}")
    if output != "html":
        raise Http404(_("Unknown format."))
    return render(
        request, "reports/basic_situation.html", {"form": form, "situation": situation}
    )
