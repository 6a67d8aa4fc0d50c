from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from django.core import checks

        from . import data_version, security
        from .checks import static_manifest
        from .history import register_domain_history

        register_domain_history()
        security.connect()
        # Cached figures follow every change to the registers (audit/data_version.py).
        data_version.connect()
        checks.register(static_manifest)
