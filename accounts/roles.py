"""The four roles of the design, and the permissions each role's group carries.

A user's ``role`` field is the truth; the user's groups are derived from it (see
``accounts.signals``) so that Django's permission checks and the admin follow the role.

Permissions are computed from the models themselves, so a register added later is covered
without editing this file:

- a model with ``street_scope = None`` and ``is_standard = True`` is a *standard* (pay
  standards, funding rates, validation rules): administrators change it, everyone else reads;
- a model with ``street_editable = True`` (roster, premises, quarterly returns) may be
  changed by street staff, within their street;
- every other model is a *register*: clerks and administrators change it.

Administrators also manage users and groups and read the records of imports.
"""

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

DOMAIN_APPS = (
    "communities", "staffing", "facilities", "budgets", "reports", "returns", "notices", "targets",
)  # fmt: skip


class Role(models.TextChoices):
    ADMIN = "admin", _("District administrator")
    CLERK = "clerk", _("District clerk")
    STREET = "street", _("Street staff")
    VIEWER = "viewer", _("Viewer")


DISTRICT_ROLES = frozenset({Role.ADMIN, Role.CLERK, Role.VIEWER})

# Stable group names (shown in the admin translated through the role label).
GROUP_NAMES = {
    Role.ADMIN: "district-admin",
    Role.CLERK: "district-clerk",
    Role.STREET: "street-staff",
    Role.VIEWER: "viewer",
}


def _domain_models():
    for app_label in DOMAIN_APPS:
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        yield from config.get_models()


def permission_codenames(role: str) -> set[tuple[str, str]]:
    """(app_label, codename) pairs granted to ``role``."""
    granted: set[tuple[str, str]] = set()
    for model in _domain_models():
        label, name = model._meta.app_label, model._meta.model_name
        view = {(label, f"view_{name}")}
        write = {(label, f"{action}_{name}") for action in ("add", "change", "delete")}
        extra = {(label, codename) for codename, _label in model._meta.permissions}
        is_standard = getattr(model, "is_standard", False)
        if role == Role.ADMIN:
            granted |= view | write | extra
        elif role == Role.CLERK:
            granted |= view
            if not is_standard:
                granted |= write
                granted |= {
                    (label, codename)
                    for codename in getattr(model, "clerk_permissions", ())
                }
        elif role == Role.STREET:
            granted |= view
            if getattr(model, "street_editable", False):
                granted |= write
                granted |= {
                    (label, codename)
                    for codename in getattr(model, "street_permissions", ())
                }
        elif role == Role.VIEWER:
            granted |= view
    if role == Role.ADMIN:
        for name in ("user", "group"):
            label = "accounts" if name == "user" else "auth"
            granted |= {
                (label, f"{action}_{name}") for action in ("view", "add", "change", "delete")
            }
        # The record of every import and the admin's uploads (imports app): administrators
        # read them; nobody writes them by hand (the import path does).
        granted |= {("imports", "view_importrecord"), ("imports", "view_importjob")}
    return granted


def sync_role_groups() -> None:
    """Create the four groups and give each exactly its role's permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    wanted = {role: permission_codenames(role) for role in Role}
    labels = {label for pairs in wanted.values() for label, _c in pairs}
    perms = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(content_type__app_label__in=labels).select_related(
            "content_type"
        )
    }
    for role, pairs in wanted.items():
        group, _created = Group.objects.get_or_create(name=GROUP_NAMES[role])
        group.permissions.set([perms[pair] for pair in pairs if pair in perms])


def group_for(role: str):
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=GROUP_NAMES[role])
    return group
