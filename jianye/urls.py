from django.contrib import admin
from django.urls import URLPattern, include, path

from overview import views as overview_views

from . import views


def admin_urls():
    """The admin's URLs, with its "view on site" redirect (``admin:view_on_site``) served by
    :func:`views.view_on_site`, which checks the id before looking it up; same URL, same name,
    same admin wrapping (staff login, no caching)."""
    patterns, app_name, namespace = admin.site.urls
    patterns = [
        path(
            str(pattern.pattern),
            admin.site.admin_view(views.view_on_site),
            name=pattern.name,
        )
        if isinstance(pattern, URLPattern) and pattern.name == "view_on_site"
        else pattern
        for pattern in patterns
    ]
    return patterns, app_name, namespace


urlpatterns = [
    # The dashboard, the page after login (the overview app's; "home" everywhere).
    path("", overview_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("overview.urls")),  # before reports/: reports/basic-situation/
    path("reports/", include("reports.urls")),
    path("budgets/", include("budgets.urls")),
    path("returns/", include("returns.urls")),
    path("notices/", include("notices.urls")),
    path("imports/", include("imports.urls")),
    path("admin/", admin_urls()),
]
