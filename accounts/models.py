from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """An account of the bureau or of a street office.

    ``role`` decides the user's permissions (through the role's group) and, with ``street``,
    what the user may see (through :mod:`scoping.rules`).
    """

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    street = models.ForeignKey(
        "communities.Street",
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        help_text=_("Required for street staff, empty for district roles."),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when an administrator gives the user a temporary password: the user must "
            "choose a new one before doing anything else."
        ),
    )

    street_scope = "street"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.STREET) & Q(street__isnull=False))
                | (~Q(role=Role.STREET) & Q(street__isnull=True)),
                name="user_street_iff_street_role",
                violation_error_message=_(
                    "Street staff must be bound to one street; district roles to none."
                ),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role == Role.STREET and self.street_id is None:
            raise ValidationError({"street": _("Street staff must be bound to one street.")})
        if self.role != Role.STREET and self.street_id is not None:
            raise ValidationError({"street": _("Only street staff are bound to a street.")})

    def set_password(self, raw_password):
        # A password the user chose ends the temporary one (the administrator's reset sets
        # the flag again after calling this).
        super().set_password(raw_password)
        self.must_change_password = False

    def save(self, *args, **kwargs):
        # Every role works in the admin, which requires is_staff.
        self.is_staff = True
        if self.is_superuser:
            self.role, self.street = Role.ADMIN, None
        super().save(*args, **kwargs)
