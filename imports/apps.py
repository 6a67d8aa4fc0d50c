from django.apps import AppConfig, apps
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = _("Imports")

    def ready(self):
        # Every app's resources.py declares its registers (imports.registry.register_file).
        from . import registry

        autodiscover_modules("resources")
        registry.put_in_app_order([config.name for config in apps.get_app_configs()])

        from django.core import checks

        from .checks import check_register_admins, check_register_exports

        checks.register(check_register_admins, checks.Tags.admin)
        checks.register(check_register_exports)
