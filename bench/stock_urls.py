"""The benchmark's urlconf: the project's URLs plus the stock Django admin (a plain
``admin.ModelAdmin`` with default options) over the same models, at ``/stock-admin/``.

Mounted only inside ``bench.pages``; the project's own urlconf never includes it.
"""

from django.contrib import admin
from django.urls import path

from communities.models import Committee
from facilities.models import Premises
from jianye.urls import urlpatterns as project_urlpatterns
from staffing.models import Person, Posting

stock_site = admin.AdminSite(name="stock")
for model in (Committee, Person, Posting, Premises):
    stock_site.register(model, admin.ModelAdmin)

urlpatterns = [path("stock-admin/", stock_site.urls), *project_urlpatterns]
