from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reports.dashboard import dashboard, latest_data_year
from reports.forms import YearForm


@login_required
def home(request):
    """The dashboard: the page after login. ``?year=`` chooses the year (default: the latest
    year with data the user may see); a street user sees their street."""
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
        "home.html",
        {"form": form, "dashboard": data, "figures": data.figures, "charts": data.charts},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
