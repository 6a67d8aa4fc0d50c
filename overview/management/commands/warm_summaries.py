from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from overview.dashboard import warm_dashboards


class Command(BaseCommand):
    help = (
        "Compute every scope's home-page dashboard into the shared cache (after a deployment "
        "on an empty cache), so that no user's first request computes it."
    )

    def handle(self, *args, **options):
        count = warm_dashboards()
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(
                _("Home-page figures computed in advance for %(count)s scopes.") % {"count": count}
            )
