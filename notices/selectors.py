"""Reads of the notices, each through :func:`scoping.rules.scope_queryset` with the user, in a
fixed number of queries however many notices, streets and readers there are."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from scoping.rules import scope_queryset, sees_all_streets

from .models import Delivery, Kind, Notice, Reading

# The notices the district posts and follows on its home page (a reminder's reading is shown
# on the completeness page, beside the street).
FOLLOWED_KINDS = (Kind.NOTICE,)


def inbox(user, *, kind: str | None = None) -> QuerySet:
    """What the user's street received (:class:`Delivery` rows with their notice), newest
    first, each with ``read_at``: when this user first opened it, or None (unread)."""
    mine = Reading.objects.filter(delivery=OuterRef("pk"), user=user).values("read_at")[:1]
    queryset = (
        scope_queryset_for_street(Delivery.objects.all(), user)
        .select_related("notice", "notice__sent_by")
        .annotate(read_at=Subquery(mine))
        .order_by("-notice__sent_at", "-notice__pk")
    )
    if kind:
        queryset = queryset.filter(notice__kind=kind)
    return queryset


def unread(user) -> QuerySet:
    """The user's street's notices this user has not opened, newest first."""
    mine = Reading.objects.filter(delivery=OuterRef("pk"), user=user)
    return inbox(user).filter(~Exists(mine))


def scope_queryset_for_street(queryset: QuerySet, user) -> QuerySet:
    """Deliveries to the user's own street: street staff only (district roles receive none)."""
    if sees_all_streets(user) or not getattr(user, "street_id", None):
        return queryset.none()
    return scope_queryset(queryset, user)


def sent_notices(user, *, kind: str | None = None) -> QuerySet:
    """Every notice the user may see (district roles: all), newest first, each with
    ``street_count`` (streets it went to) and ``read_count`` (streets where someone read it)."""
    delivered = Delivery.objects.filter(notice=OuterRef("pk")).order_by()
    streets = delivered.values("notice").annotate(n=Count("pk")).values("n")
    read = (
        delivered.filter(Exists(Reading.objects.filter(delivery=OuterRef("pk"))))
        .values("notice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = (
        scope_queryset(Notice.objects.all(), user)
        .select_related("sent_by")
        .annotate(street_count=Subquery(streets), read_count=Subquery(read))
        .order_by("-sent_at", "-pk")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def receipts(notice: Notice) -> list[Delivery]:
    """The notice's streets in order, each with its ``readings`` (user, time): two queries."""
    return list(
        Delivery.objects.filter(notice=notice)
        .select_related("street")
        .prefetch_related(
            Prefetch(
                "readings", queryset=Reading.objects.select_related("user").order_by("read_at")
            )
        )
        .order_by("street__sort_order", "street__code")
    )


def unread_by_streets(user, *, days: int = 30, limit: int = 10) -> list[Notice]:
    """The district's notices of the last ``days`` that some street has not read yet, newest first (``street_count``, ``read_count`` as :func:`sent_notices`)."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        sent_notices(user).filter(
            Q(read_count__isnull=True) | Q(read_count__lt=F("street_count")),
            kind__in=FOLLOWED_KINDS,
            sent_at__gte=since,
        )[:limit]
    )


def latest_per_street(*, kind: str, year: int, quarter: int, street_ids) -> dict[int, Delivery]:
    """The latest notice of ``kind`` about (year, quarter) delivered to each street, with
    ``was_read`` (someone of the street opened it): one query."""
    found: dict[int, Delivery] = {}
    deliveries = (
        Delivery.objects.filter(
            notice__kind=kind,
            notice__year=year,
            notice__quarter=quarter,
            street_id__in=list(street_ids),
        )
        .select_related("notice__sent_by")
        .annotate(was_read=Exists(Reading.objects.filter(delivery=OuterRef("pk"))))
        .order_by("street_id", "-notice__sent_at", "-pk")
    )
    for delivery in deliveries:
        found.setdefault(delivery.street_id, delivery)
    return found
