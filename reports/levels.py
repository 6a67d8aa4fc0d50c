"""How much of a report a page shows: every committee, or a summary by street or district.

A district of 36 committees reads well as one table; a province of 20,000 does not (the
page would hold 20,000 rows). When the user's scope holds more committees than
:func:`detail_limit` (``REPORT_DETAIL_LIMIT``, default :data:`DETAIL_LIMIT`), a report's
page shows its total and one row per street, or one per district when the streets are too
many as well, each row linking down: a district to its streets (``?district=<id>``), a street
to its committees (``?street=<id>``). The workbook and CSV downloads always hold the full
committee table of the user's scope.

Both parameters are checked through :func:`scoping.rules.scope_queryset`: a street the
user may not see, or a district without one, is a 404. A street is then shown with
:class:`OneStreet`, the signed-in user narrowed to that street, so that every selector a
report calls applies the narrower scope through the same mechanism.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.roles import Role
from scoping.rules import district_model, scope_queryset, street_model

if TYPE_CHECKING:  # the geography, reached at run time through scoping.rules
    from communities.models import District, Street

from .registry import RowLevel

# Above this many committees in scope, report pages summarise (the downloads never do).
DETAIL_LIMIT = 300


def detail_limit() -> int:
    return int(getattr(settings, "REPORT_DETAIL_LIMIT", DETAIL_LIMIT))


class OneStreet:
    """``user`` seeing only ``street`` (a street of their scope, checked by the caller).

    To :func:`~scoping.rules.scope_queryset` it is a street user of that street, so it
    can only narrow what ``user`` sees, never widen it; everything else (name, permissions)
    is the user's.
    """

    role = Role.STREET
    is_superuser = False

    def __init__(self, user, street: Street):
        self._user = user
        self.street = street
        self.street_id = street.pk

    @property
    def is_authenticated(self):
        return self._user.is_authenticated

    @property
    def is_active(self):
        return self._user.is_active

    @property
    def account(self):
        return self._user

    def __getattr__(self, name):
        return getattr(self._user, name)


def street_in_scope(user, value) -> Street:
    """The street ``?street=`` names, if ``user`` may see it; else 404."""
    try:
        return (
            scope_queryset(street_model().objects.select_related("district"), user)
            .only("id", "name", "district__id", "district__name")
            .get(pk=int(value))
        )
    except (TypeError, ValueError, street_model().DoesNotExist):
        raise Http404(_("No such street in your scope.")) from None


def district_in_scope(user, value) -> District:
    """The district ``?district=`` names, if ``user`` may see one of its streets; else 404."""
    try:
        district = district_model().objects.get(pk=int(value))
    except (TypeError, ValueError, district_model().DoesNotExist):
        raise Http404(_("No such district in your scope.")) from None
    if not scope_queryset(street_model().objects.filter(district=district), user).exists():
        raise Http404(_("No such district in your scope."))
    return district


def scope_size(user) -> dict:
    """Committees, streets and districts ``user`` sees, in one query."""
    return scope_queryset(street_model().objects.all(), user).aggregate(
        streets=Count("pk", distinct=True),
        districts=Count("district", distinct=True),
        committees=Count("committees"),
    )


def level_for(size: dict, *, district: District | None = None) -> str:
    """The finest level a page of a scope of ``size`` shows: every committee
    (``RowLevel.COMMITTEE``) up to the limit; above it a summary by street, or by district
    when the streets are over the limit too (and there is more than one district)."""
    limit = detail_limit()
    if size["committees"] <= limit:
        return RowLevel.COMMITTEE
    if district is not None or size["streets"] <= limit or size["districts"] <= 1:
        return RowLevel.STREET
    return RowLevel.DISTRICT
