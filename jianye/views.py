from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reports.registry import REPORTS


@login_required
def home(request):
    return render(request, "home.html", {"reports": REPORTS})
