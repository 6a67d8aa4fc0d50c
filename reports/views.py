from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import ReportParametersForm
from .registry import REPORTS, ReportError, get_report_class
from .rendering import html_context, render_csv, render_xlsx

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@login_required
def report_list(request):
    entries = [
        {"report": report_class, "form": ReportParametersForm(report_class=report_class)}
        for report_class in REPORTS
    ]
    return render(request, "reports/report_list.html", {"entries": entries})


@login_required
def report_detail(request, identifier):
    try:
        report_class = get_report_class(identifier)
    except ReportError as exc:
        raise Http404(str(exc)) from exc
    form = ReportParametersForm(request.GET or None, report_class=report_class)
    context = {"report_class": report_class, "form": form}
    if not form.is_valid():
        return render(request, "reports/report_detail.html", context, status=200 if not request.GET else 400)
    try:
        report = report_class(user=request.user, **{k: v for k, v in form.cleaned_data.items() if v is not None})
    except ReportError as exc:
        form.add_error(None, str(exc))
        return render(request, "reports/report_detail.html", context, status=400)
    output = request.GET.get("format", "html")
    if output in ("xlsx", "csv"):
        body = render_xlsx(report) if output == "xlsx" else render_csv(report)
        response = HttpResponse(body, content_type=CONTENT_TYPES[output])
        filename = f"{report.identifier}-{report.year}"
        if report.quarter:
            filename += f"-Q{report.quarter}"
        response["Content-Disposition"] = f'attachment; filename="{filename}.{output}"'
        return response
    if output != "html":
        raise Http404(_("Unknown format."))
    context.update(html_context(report))
    return render(request, "reports/report_detail.html", context)
