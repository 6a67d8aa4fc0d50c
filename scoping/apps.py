from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScopingConfig(AppConfig):
    """The reusable base every register builds on: who sees which rows (:mod:`scoping.rules`),
    the scoped admin (:mod:`scoping.admin_base`), the import/export resource base
    (:mod:`scoping.resources`), list filters and the admin paginator.

    It imports nothing of the project above ``accounts`` (only Django, third-party libraries
    and ``accounts``); the apps build on it, never the other way round.
    """

    name = "scoping"
    verbose_name = _("Street scoping")

    def ready(self):
        from django.core import checks

        from .checks import check_scoped_admins, check_street_scopes

        checks.register(check_street_scopes, checks.Tags.models)
        checks.register(check_scoped_admins, checks.Tags.admin)
