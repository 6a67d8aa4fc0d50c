"""System checks of the deployment the ``audit`` app owns besides the security settings.

``audit.W001``: with DEBUG off, static files are served from what ``collectstatic`` wrote
(whitenoise's manifest storage, :mod:`jianye.storage`). When its manifest is missing, pages
still render (the storage links plain names) but without their styles and scripts: say so
at start-up (``runserver``, ``migrate``, ``check``; gunicorn runs no checks, hence the
storage's fallback). A warning, not an error: an error would stop ``migrate`` too, and
``collectstatic`` must stay runnable.
"""

from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.files.storage import storages
from django.utils.translation import gettext as _


def static_manifest(app_configs=None, **kwargs):
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.manifest_storage.exists(storage.manifest_name):
        return []
    return [
        checks.Warning(
            _(
                "The static files have not been collected: %(manifest)s is missing, so "
                "pages are served without their styles and scripts."
            )
            % {"manifest": storage.manifest_storage.path(storage.manifest_name)},
            hint=_("Run “python manage.py collectstatic --noinput”, then restart the server."),
            id="audit.W001",
        )
    ]
