"""System checks of the scoping base (registered by :class:`scoping.apps.ScopingConfig`).

- ``scoping.E001``: every concrete model of the project's own apps (those whose code lives in
  the project directory) declares ``street_scope``: the lookup path to its street, or
  ``None`` for district-wide reference data. :func:`scoping.rules.street_scope_of` refuses an
  undeclared model at run time; this says so at start-up, before any page is served.
  Models generated for a model (many-to-many tables, django-simple-history's historical
  records, read through their model's scope) are not the project's declarations and are
  left out.
- ``scoping.E002``: every street-scoped model registered in an admin site has a ModelAdmin
  built on :class:`scoping.admin_base.ScopedAdminMixin`, so its admin pages are scoped.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.admin.sites import all_sites
from django.core import checks

from .rules import UNSET

THIRD_PARTY_DIRS = {"site-packages", "dist-packages"}


def is_project_app(app_config) -> bool:
    """An app whose code is in the project directory (not Django's, not an installed
    library's, even with the virtualenv inside the project)."""
    path = Path(app_config.path)
    base = Path(settings.BASE_DIR)
    return path.is_relative_to(base) and not THIRD_PARTY_DIRS & set(path.parts)


def is_generated(model) -> bool:
    """A model made for another model: an automatic many-to-many table or a historical
    record of django-simple-history (scoped through the model it records)."""
    if model._meta.auto_created:
        return True
    try:
        from simple_history.models import HistoricalChanges
    except ImportError:  # pragma: no cover - simple_history is installed
        return False
    return issubclass(model, HistoricalChanges)


def check_street_scopes(app_configs=None, **kwargs):
    """scoping.E001: a project model without a ``street_scope`` declaration."""
    if app_configs is None:
        app_configs = apps.get_app_configs()
    errors = []
    for app_config in app_configs:
        if not is_project_app(app_config):
            continue
        for model in app_config.get_models():
            if is_generated(model) or getattr(model, "street_scope", UNSET) is not UNSET:
                continue
            errors.append(
                checks.Error(
                    f"The model {model._meta.label} does not declare its street scope.",
                    hint=(
                        "Add a class attribute street_scope: the lookup path from the model "
                        "to its street (e.g. 'street' or 'committee__street'), or None for "
                        "district-wide reference data. Without it scoping.rules refuses to "
                        "query the model."
                    ),
                    obj=model,
                    id="scoping.E001",
                )
            )
    return errors


def check_scoped_admins(app_configs=None, sites=None, **kwargs):
    """scoping.E002: a street-scoped model whose admin does not use ScopedAdminMixin."""
    from .admin_base import ScopedAdminMixin

    labels = None if app_configs is None else {config.label for config in app_configs}
    errors = []
    for site in all_sites if sites is None else sites:
        for model, model_admin in site._registry.items():
            if labels is not None and model._meta.app_label not in labels:
                continue
            if getattr(model, "street_scope", None) is None:
                continue  # district-wide (or undeclared: scoping.E001)
            if isinstance(model_admin, ScopedAdminMixin):
                continue
            errors.append(
                checks.Error(
                    f"{type(model_admin).__qualname__} (the admin of the street-scoped model "
                    f"{model._meta.label} in the admin site '{site.name}') does not use "
                    "ScopedAdminMixin: its pages would show every street's rows.",
                    hint=(
                        "Build it on imports.admin_flow.RegisterAdmin, "
                        "scoping.admin_base.ScopedAdmin or ScopedAdminMixin."
                    ),
                    obj=type(model_admin),
                    id="scoping.E002",
                )
            )
    return errors
