"""Account provisioning: the one function the command, the admin and the demo loader use."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from .models import User
from .roles import Role

# Django 5.2's MinimumLengthValidator asks for this message, but Django's own zh_Hans
# catalogue still has the older wording ("%(min_length)d"), so "This password is too short"
# came out in English (adduser, the admin's password forms). Our catalogue carries the
# wording Django asks for; naming it here keeps makemessages from dropping it.
DJANGO_MESSAGES = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "count",
    ),
)


def street_model():
    """The street model, as the user's ``street`` foreign key names it: accounts imports no
    app built on it (the communities app builds on accounts)."""
    return User._meta.get_field("street").related_model


def find_street(name: str):
    """A street by its code, full name or short name (南湖 finds 南湖街道)."""
    Street = street_model()
    name = (name or "").strip()
    match = Street.objects.filter(Q(code=name) | Q(name=name) | Q(short_name=name)).first()
    if match is None:
        known = "、".join(Street.objects.values_list("name", flat=True)) or _("none")
        raise ValidationError(
            _("Unknown street “%(name)s”. Known streets: %(known)s.")
            % {"name": name, "known": known}
        )
    return match


@transaction.atomic
def user_create(*, username: str, role: str, password: str, street_name: str | None = None) -> User:
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role “%(role)s”. Choose one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("A user named “%(name)s” already exists.") % {"name": username})
    street = None
    if role == Role.STREET:
        if not street_name:
            raise ValidationError(_("Street staff need --street."))
        street = find_street(street_name)
    elif street_name:
        raise ValidationError(_("Only street staff are bound to a street; drop --street."))
    user = User(username=username, role=role, street=street)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
