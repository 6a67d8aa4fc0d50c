from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from scoping.downloads import attachment

from .forms import ReportParametersForm
from .levels import OneStreet, district_in_scope, level_for, scope_size, street_in_scope
from .registry import (
    REPORTS,
    WRITINGS,
    ColumnKind,
    ReportError,
    RowLevel,
    default_period,
    get_report_class,
)
from .rendering import display_value, html_context, render_csv, render_xlsx


@login_required
def report_list(request):
    """Every report with its parameters and a button per format; then the pages written from
    the reports (the yearly basic situation)."""
    year, quarter = default_period(request.user)
    entries = [
        {
            "report": report_class,
            "form": ReportParametersForm(
                report_class=report_class, user=request.user, year=year, quarter=quarter
            ),
        }
        for report_class in REPORTS
    ]
    return render(
        request,
        "reports/report_list.html",
        {
            "entries": entries,
            "writings": [
                {
                    "writing": writing,
                    "url": reverse(writing.url_name),
                    "form": writing.form_class(initial={"year": year}),
                }
                for writing in WRITINGS
            ],
        },
    )


def _narrowed_url(request, **narrowing) -> str:
    """This page's address with its parameters, narrowed to a street or district (or not)."""
    query = request.GET.copy()
    for name in ("street", "district", "format"):
        query.pop(name, None)
    for name, value in narrowing.items():
        query[name] = str(value)
    return f"{request.path}?{query.urlencode()}"


def _link(request, row):
    if row.level == RowLevel.DISTRICT:
        return _narrowed_url(request, district=row.extra["district_id"])
    if row.level == RowLevel.STREET and "street_id" in row.extra:
        return _narrowed_url(request, street=row.extra["street_id"])
    return None


def _level_context(request, *, size, level, street, district) -> dict:
    """What the page says about its level, and the way back up."""
    numbers = {
        "committees": display_value(size["committees"], ColumnKind.INTEGER),
        "streets": display_value(size["streets"], ColumnKind.INTEGER),
        "districts": display_value(size["districts"], ColumnKind.INTEGER),
    }
    whole = level_for(size)
    top = _("All districts") if whole == RowLevel.DISTRICT else _("All streets")
    trail, note = [], ""
    if street is not None:
        if whole != RowLevel.COMMITTEE:
            trail.append({"label": top, "url": _narrowed_url(request)})
            if whole == RowLevel.DISTRICT:
                trail.append(
                    {
                        "label": street.district.name,
                        "url": _narrowed_url(request, district=street.district_id),
                    }
                )
        else:
            trail.append({"label": _("Every street"), "url": _narrowed_url(request)})
        trail.append({"label": street.name, "url": None})
    elif district is not None:
        trail = [
            {"label": top, "url": _narrowed_url(request)},
            {"label": district.name, "url": None},
        ]
        note = _("The streets of %(district)s; choose a street to see its committees.") % {
            "district": district.name
        }
    elif level == RowLevel.DISTRICT:
        note = (
            _(
                "%(committees)s committees in %(streets)s streets of %(districts)s districts: one "
                "row per district; choose a district to see its streets, then a street to see its "
                "committees. The Excel and CSV downloads hold every committee."
            )
            % numbers
        )
    elif level == RowLevel.STREET:
        note = (
            _(
                "%(committees)s committees in %(streets)s streets: one row per street; choose a "
                "street to see its committees. The Excel and CSV downloads hold every committee."
            )
            % numbers
        )
    return {"trail": trail, "level_note": note}


@login_required
def report_detail(request, identifier):
    try:
        report_class = get_report_class(identifier)
    except ReportError as exc:
        raise Http404(str(exc)) from exc
    # A page narrowed to a street or a district of the user's scope (reports.levels); anything
    # else is a 404, whatever the format.
    street = district = None
    if request.GET.get("street"):
        street = street_in_scope(request.user, request.GET["street"])
    elif request.GET.get("district"):
        district = district_in_scope(request.user, request.GET["district"])
    year, quarter = (None, None) if request.GET else default_period(request.user)
    form = ReportParametersForm(
        request.GET or None,
        report_class=report_class,
        user=request.user,
        year=year,
        quarter=quarter,
    )
    context = {"report_class": report_class, "form": form}
    if not form.is_valid():
        return render(
            request, "reports/report_detail.html", context, status=200 if not request.GET else 400
        )
    parameters = {k: v for k, v in form.cleaned_data.items() if v is not None}
    output = request.GET.get("format", "html")
    if output not in ("html", "xlsx", "csv"):
        raise Http404(_("Unknown format."))
    # The downloads are always the full committee table of the user's scope.
    size = level = None
    user = request.user
    if output == "html":
        size = scope_size(request.user)
        if street is not None:
            user, level = OneStreet(request.user, street), RowLevel.COMMITTEE
        else:
            level = level_for(size, district=district)
            if level == RowLevel.COMMITTEE:
                district = None  # a scope small enough to show every committee
    try:
        report = report_class(user=user, district=district, **parameters)
    except ReportError as exc:
        form.add_error(None, str(exc))
        return render(request, "reports/report_detail.html", context, status=400)
    if output in ("xlsx", "csv"):
        body = render_xlsx(report) if output == "xlsx" else render_csv(report)
        # The table's title says what the file is: 建邺区社区居委会经费情况表（2006年）, with the
        # scenario's name or （暂定数） when the report's title has them.
        return attachment(body, output, report.title())
    context.update(
        html_context(report, level=level, district=district, link=lambda row: _link(request, row))
    )
    context.update(
        _level_context(request, size=size, level=level, street=street, district=district)
    )
    return render(request, "reports/report_detail.html", context)
