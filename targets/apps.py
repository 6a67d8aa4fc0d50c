from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    """Work targets (工作目标): what the bureau sets out to reach in a year, per indicator and
    scope (the district or one street), and the progress the registers show against them.
    Its report table is registered in ``targets/reports.py`` (the reports app's
    autodiscovery); the dashboard and the yearly text call :func:`targets.progress.progress`."""

    name = "targets"
    verbose_name = _("Work targets")
