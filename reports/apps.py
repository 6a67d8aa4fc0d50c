from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Each app declares its report tables in its own reports.py.
        autodiscover_modules("reports")

        from audit.data_version import register_refresher

        from .registry import refresh_summary

        # The task worker recomputes the cached report summaries after a change.
        register_refresher("summary", refresh_summary)
