"""System checks of the registers (registered by :class:`imports.apps.ImportsConfig`), in the
style of ``django.contrib.admin``'s own checks.

For every register of :data:`imports.registry.REGISTERS`:

- ``imports.E001``: the model of its resource has a ModelAdmin in an admin site, so the
  register's rows can be seen, imported and exported in the admin;
- ``imports.E002``: that ModelAdmin offers the register's import (it is built on
  :class:`imports.admin_flow.RegisterImportMixin`, as :class:`~imports.admin_flow.RegisterAdmin`
  is), not django-import-export's own import or none;
- ``imports.E003``: the register compiles for export: :func:`imports.exports.compile_plan`
  builds the set-based column plan of its resource. A resource that does not compile would
  quietly fall back to the slow per-instance export; this says so at start-up.
"""

from django.contrib.admin.sites import all_sites
from django.core import checks

from scoping.rules import SYSTEM

from .registry import REGISTERS


def _registers(app_configs, registers):
    """``(name, resource class)`` of the registers to check: all of them, or those whose
    resource's model belongs to one of ``app_configs``."""
    registers = REGISTERS if registers is None else registers
    labels = None if app_configs is None else {config.label for config in app_configs}
    return [
        (name, cls)
        for name, cls in registers.items()
        if labels is None or cls._meta.model._meta.app_label in labels
    ]


def check_register_admins(app_configs=None, registers=None, sites=None, **kwargs):
    """imports.E001: a register whose model has no ModelAdmin; imports.E002: a register
    whose ModelAdmin does not offer the register's import."""
    from .admin_flow import RegisterImportMixin

    sites = list(all_sites) if sites is None else list(sites)
    errors = []
    for name, cls in _registers(app_configs, registers):
        model = cls._meta.model
        model_admins = [site._registry[model] for site in sites if model in site._registry]
        if not model_admins:
            errors.append(
                checks.Error(
                    f"The register '{name}' ({cls.__module__}.{cls.__qualname__}) has no "
                    f"ModelAdmin: its model {model._meta.label} is not registered in an "
                    "admin site.",
                    hint=(
                        f"Register {model._meta.label} in the admin (admin.site.register or "
                        "@admin.register in the app's admin.py) with a ModelAdmin built on "
                        "imports.admin_flow.RegisterAdmin."
                    ),
                    obj=cls,
                    id="imports.E001",
                )
            )
            continue
        for model_admin in model_admins:
            if isinstance(model_admin, RegisterImportMixin):
                continue
            admin_class = type(model_admin)
            errors.append(
                checks.Error(
                    f"The ModelAdmin {admin_class.__module__}.{admin_class.__qualname__} of "
                    f"{model._meta.label} does not offer the import of the register '{name}'.",
                    hint=(
                        "Build the ModelAdmin on imports.admin_flow.RegisterAdmin (or mix "
                        "imports.admin_flow.RegisterImportMixin in before the admin's other "
                        "bases), so its Import button leads to the register's import."
                    ),
                    obj=admin_class,
                    id="imports.E002",
                )
            )
    return errors


def check_register_exports(app_configs=None, registers=None, **kwargs):
    """imports.E003: a register whose resource does not compile for export."""
    from .exports import NotCompilable, compile_plan

    errors = []
    for name, cls in _registers(app_configs, registers):
        try:
            # The plan depends on the resource's columns, not on whose rows it exports.
            compile_plan(cls(user=SYSTEM))
        except Exception as exc:  # any failure of the compiler is the register's error
            reason = str(exc) if isinstance(exc, NotCompilable) else f"{type(exc).__name__}: {exc}"
            errors.append(
                checks.Error(
                    f"The register '{name}' ({cls.__module__}.{cls.__qualname__}) does not "
                    f"compile for export: {reason}.",
                    hint=(
                        "Give each column a plain model path that imports.exports.compile_plan "
                        "can read (a field, or a forward relation's natural key), or a "
                        "dehydrate_<field> method together with its dehydrate_<field>_plan "
                        "twin, or a widget with export_plan; an export_field override must be "
                        "marked passes_user_only."
                    ),
                    obj=cls,
                    id="imports.E003",
                )
            )
    return errors
