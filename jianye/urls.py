from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include("reports.urls")),
    path("budgets/", include("budgets.urls")),
    path("returns/", include("returns.urls")),
    path("imports/", include("jianye.import_urls")),
    path("admin/", admin.site.urls),
]
