from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The dashboard and the yearly basic situation: pages that read the reports of every
    app and write them up. No models. Registers itself with the reports framework in
    ``overview/reports.py`` (found by the reports app's autodiscovery)."""

    name = "overview"
    verbose_name = _("Overview")

    def ready(self):
        from audit.data_version import register_refresher

        from .dashboard import refresh_dashboard

        # The task worker recomputes each scope's dashboard after a change.
        register_refresher("dashboard", refresh_dashboard)
