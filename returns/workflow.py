"""Every change to a quarterly return goes through here.

- :func:`returns_save` (a street's grid, set-based) and :func:`return_save` (one return):
  a street saves figures (draft or returned returns only), with optimistic locking on
  ``version``;
- :func:`return_submit`, :func:`return_approve`, :func:`return_send_back`,
  :func:`return_reopen`: the transitions, each in one transaction, each writing a
  :class:`~returns.models.ReturnEvent` (who, when, from, to, why) per return; all or none
  of the returns given;
- :func:`returns_review`: the clerk's bulk action, which applies one of those transitions
  to the returns it fits and says for each of the others why not (:class:`Outcome`).

The grid page, the admin actions, the import and the tests all call these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audit.data_version import data_changed
from communities.models import Committee
from scoping.rules import in_scope

from .models import (
    EDITABLE_STATUSES,
    FIGURES,
    QuarterlyReturn,
    ReturnEvent,
    ReturnStatus,
    previous_quarter,
)
from .rules import Finding, check_figures
from .selectors import active_rules


class WorkflowError(Exception):
    """A change that cannot be made; ``messages`` says why, one line per return."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(str(m) for m in self.messages))


@dataclass
class Change:
    field: str
    label: str
    yours: object
    theirs: object


class StaleVersion(WorkflowError):
    """Someone saved the return after the user loaded it; nothing was written."""

    def __init__(self, current: QuarterlyReturn, changes: list[Change]):
        self.current = current
        self.changes = changes
        who = current.updated_by.get_username() if current.updated_by_id else _("someone")
        when = (
            timezone.localtime(current.updated_at).strftime("%H:%M") if current.updated_at else ""
        )
        if changes:
            detail = "; ".join(
                _("%(field)s is now %(theirs)s") % {"field": c.label, "theirs": _show(c.theirs)}
                for c in changes
            )
        else:
            detail = _("its status is now “%(status)s”") % {"status": current.get_status_display()}
        message = _(
            "%(committee)s was changed by %(who)s at %(when)s while you were editing: "
            "%(detail)s. Your input is kept below; check it and save again."
        ) % {"committee": current.committee, "who": who, "when": when, "detail": detail}
        super().__init__(message)


def _show(value) -> str:
    return _("(empty)") if value in (None, "") else str(value)


def _may(user, codename: str) -> bool:
    return bool(user and (user.is_superuser or user.has_perm(f"returns.{codename}")))


def _require(user, codename: str) -> None:
    if not _may(user, codename):
        raise PermissionDenied(_("You may not do this with quarterly returns."))


def _label(name: str) -> str:
    return str(QuarterlyReturn._meta.get_field(name).verbose_name)


def _actor(user):
    return user if getattr(user, "pk", None) else None


# Validation ------------------------------------------------------------------------------


def findings_for(returns: list[QuarterlyReturn]) -> dict[int, list[Finding]]:
    """Rule findings of each return (by pk), computed with two queries in all."""
    if not returns:
        return {}
    rules = active_rules()
    wanted = {(r.committee_id, *previous_quarter(r.year, r.quarter)) for r in returns}
    previous = {}
    years = {y for _c, y, _q in wanted}
    for found in QuarterlyReturn.objects.filter(
        committee_id__in={c for c, _y, _q in wanted}, year__in=years
    ):
        key = (found.committee_id, found.year, found.quarter)
        if key in wanted:
            previous[key] = found.figures()
    result = {}
    for item in returns:
        result[item.pk] = check_figures(
            rules=rules,
            figures=item.figures(),
            previous=previous.get((item.committee_id, *previous_quarter(item.year, item.quarter))),
        )
    return result


def submission_problems(item: QuarterlyReturn, findings: list[Finding]) -> list[str]:
    """Why ``item`` cannot be submitted: empty figures, errors, warnings without a comment."""
    problems = []
    empty = [_label(name) for name in FIGURES if getattr(item, name) is None]
    if empty:
        problems.append(_("fill in %(fields)s") % {"fields": "、".join(empty)})
    problems += [f.message for f in findings if f.is_error]
    if not item.comment.strip():
        problems += [
            _("%(warning)s (explain it in the comment)") % {"warning": f.message}
            for f in findings
            if not f.is_error
        ]
    return problems


# Saving figures --------------------------------------------------------------------------


@dataclass
class GridChange:
    """What a user typed for one committee: the figures, ``note`` and ``comment`` in
    ``data``; the ``version`` the form was built from (0 or None for a return that did not
    exist yet); ``original``, the values the form showed (to name what someone else changed)."""

    committee: Committee
    data: dict
    version: int | None
    original: dict | None = None


class StaleVersions(WorkflowError):
    """Some of the returns saved together were changed by someone else meanwhile; nothing
    was written. ``conflicts`` holds one :class:`StaleVersion` per such return."""

    def __init__(self, conflicts: list[StaleVersion]):
        self.conflicts = conflicts
        super().__init__([message for c in conflicts for message in c.messages])


SAVED_FIELDS = (*FIGURES, "note", "comment", "version", "updated_by", "updated_at")


def returns_save(*, year: int, quarter: int, user, changes: list[GridChange]) -> list:
    """Save several committees' returns of one quarter at once (a street's grid), all or
    nothing, in a fixed number of queries whatever their number.

    One read of the current returns (locked, with their versions), then the optimistic
    check of every row: a row whose version moved on since the user's page was built is a
    conflict (all of them are reported together, :class:`StaleVersions`, and nothing is
    written); a return that is no longer editable, or that vanished, is a
    :class:`WorkflowError`. Then one ``bulk_create`` and one ``bulk_update``, each with its
    history rows in bulk (django-simple-history), attributed to ``user``. Returns the saved
    returns in the order of ``changes``.
    """
    if not changes:
        return []
    for change in changes:
        if not in_scope(change.committee, user):
            raise PermissionDenied(_("This record belongs to a street outside your scope."))
    actor = _actor(user)
    with transaction.atomic():
        current = {
            item.committee_id: item
            for item in QuarterlyReturn.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(committee_id__in=[c.committee.pk for c in changes], year=year, quarter=quarter)
        }
        if len(current) < len(changes):
            _require(user, "add_quarterlyreturn")
        if current:
            _require(user, "change_quarterlyreturn")
        conflicts, created, updated, saved = [], [], [], []
        now = timezone.now()
        for change in changes:
            committee, expected = change.committee, change.version or 0
            item = current.get(committee.pk)
            if item is None:
                if expected != 0:
                    raise WorkflowError(_("This return no longer exists."))
                item = QuarterlyReturn(committee=committee, year=year, quarter=quarter, version=0)
                created.append(item)
            else:
                item.committee = committee
                if item.version != expected:
                    conflicts.append(
                        StaleVersion(item, _changes(item, change.data, change.original))
                    )
                    continue
                if not item.is_editable:
                    raise WorkflowError(
                        _("%(committee)s: the return is %(status)s and cannot be changed.")
                        % {"committee": committee, "status": item.get_status_display()}
                    )
                updated.append(item)
            for name in FIGURES:
                if name in change.data:
                    setattr(item, name, change.data[name])
            for name in ("note", "comment"):
                if name in change.data:
                    setattr(item, name, change.data[name] or "")
            item.version += 1
            item.updated_by = actor
            item.updated_at = now
            # Field checks only: the one return per committee and quarter is the read above
            # (and the unique constraint), the other constraints concern statuses not set here.
            item.full_clean(
                exclude=["committee", "updated_by"], validate_unique=False,
                validate_constraints=False,
            )  # fmt: skip
            saved.append(item)
        if conflicts:
            raise StaleVersions(conflicts)
        try:
            with transaction.atomic():
                if created:
                    bulk_create_with_history(created, QuarterlyReturn, default_user=actor)
                if updated:
                    bulk_update_with_history(
                        updated, QuarterlyReturn, fields=SAVED_FIELDS, default_user=actor
                    )
        except IntegrityError:
            # Someone created one of these returns between the read and the insert.
            raise WorkflowError(
                _(
                    "Someone else saved this quarter's returns meanwhile; nothing was saved. "
                    "Open the page again and re-enter your figures."
                )
            ) from None
        data_changed()
        return saved


def return_save(
    *,
    committee: Committee,
    year: int,
    quarter: int,
    user,
    data: dict,
    version: int | None,
    original: dict | None = None,
) -> QuarterlyReturn:
    """Save one return's figures (creating it if needed), refusing a stale ``version``
    (:class:`StaleVersion`): :func:`returns_save` for one committee."""
    try:
        (saved,) = returns_save(
            year=year,
            quarter=quarter,
            user=user,
            changes=[GridChange(committee, data, version, original)],
        )
    except StaleVersions as exc:
        raise exc.conflicts[0] from None
    return saved


def _changes(current: QuarterlyReturn, data: dict, original: dict | None) -> list[Change]:
    changes = []
    for name in (*FIGURES, "note", "comment"):
        theirs = getattr(current, name)
        before = (original or data).get(name, theirs)
        if before in ("",) and theirs is None:
            continue
        if before != theirs:
            changes.append(Change(name, _label(name), data.get(name), theirs))
    return changes


# Transitions -----------------------------------------------------------------------------


def _lock(returns: Iterable[QuarterlyReturn], user) -> list[QuarterlyReturn]:
    ids = [r.pk for r in returns]
    locked = list(QuarterlyReturn.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    found = {r.pk: r for r in locked}
    committees = {
        c.pk: c
        for c in Committee.objects.filter(pk__in={r.committee_id for r in locked}).select_related(
            "street"
        )
    }
    for item in locked:
        item.committee = committees[item.committee_id]
    if len(found) != len(set(ids)) or any(not in_scope(r, user) for r in locked):
        raise PermissionDenied(_("This record belongs to a street outside your scope."))
    if not locked:
        raise WorkflowError(_("Select at least one return."))
    return locked


TRANSITION_FIELDS = (
    "status", "version", "updated_by", "updated_at", "submitted_at", "first_submitted_at",
    "approved_at", "approved_figures", "reason",
)  # fmt: skip


def _transition(items, *, user, to_status, reason="", allowed_from) -> list[QuarterlyReturn]:
    wrong = [
        _("%(committee)s: the return is %(status)s.")
        % {"committee": r.committee, "status": r.get_status_display()}
        for r in items
        if r.status not in allowed_from
    ]
    if wrong:
        raise WorkflowError(wrong)
    now = timezone.now()
    actor = _actor(user)
    events = []
    for item in items:
        events.append(
            ReturnEvent(
                quarterly_return=item,
                actor=actor,
                at=now,
                from_status=item.status,
                to_status=to_status,
                reason=reason,
            )
        )
        item.status = to_status
        item.version += 1
        item.updated_by = actor
        item.updated_at = now
        if to_status == ReturnStatus.SUBMITTED:
            item.submitted_at = now
            item.first_submitted_at = item.first_submitted_at or now
        elif to_status == ReturnStatus.APPROVED:
            item.approved_at = now
            item.approved_figures = item.figures()
            item.reason = ""
        else:
            item.reason = reason
    # One UPDATE, one INSERT of history rows and one of events, however many returns.
    bulk_update_with_history(items, QuarterlyReturn, fields=TRANSITION_FIELDS, default_user=actor)
    ReturnEvent.objects.bulk_create(events)
    data_changed()
    return items


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Give a reason."))
    return reason


def return_submit(*, returns: Iterable[QuarterlyReturn], user) -> list[QuarterlyReturn]:
    """Street staff submit returns (all or none): every figure filled, no error, every
    warning explained in the comment."""
    _require(user, "submit_quarterlyreturn")
    with transaction.atomic():
        items = _lock(returns, user)
        findings = findings_for(items)
        problems = []
        for item in items:
            if item.status not in EDITABLE_STATUSES:
                continue
            for problem in submission_problems(item, findings[item.pk]):
                problems.append(
                    _("%(committee)s: %(problem)s")
                    % {"committee": item.committee, "problem": problem}
                )
        if problems:
            raise WorkflowError(problems)
        return _transition(
            items, user=user, to_status=ReturnStatus.SUBMITTED, allowed_from=EDITABLE_STATUSES
        )


def return_approve(*, returns: Iterable[QuarterlyReturn], user) -> list[QuarterlyReturn]:
    """A district clerk approves submitted returns; they are locked from then on."""
    _require(user, "approve_quarterlyreturn")
    with transaction.atomic():
        items = _lock(returns, user)
        return _transition(
            items,
            user=user,
            to_status=ReturnStatus.APPROVED,
            allowed_from=(ReturnStatus.SUBMITTED,),
        )


def return_send_back(
    *, returns: Iterable[QuarterlyReturn], user, reason: str
) -> list[QuarterlyReturn]:
    """A district clerk returns submitted returns to the street, with a reason."""
    _require(user, "return_quarterlyreturn")
    reason = _reason(reason)
    with transaction.atomic():
        items = _lock(returns, user)
        return _transition(
            items,
            user=user,
            to_status=ReturnStatus.RETURNED,
            reason=reason,
            allowed_from=(ReturnStatus.SUBMITTED,),
        )


def return_reopen(
    *, returns: Iterable[QuarterlyReturn], user, reason: str
) -> list[QuarterlyReturn]:
    """An administrator reopens approved returns (back to draft), with a reason."""
    _require(user, "reopen_quarterlyreturn")
    reason = _reason(reason)
    with transaction.atomic():
        items = _lock(returns, user)
        return _transition(
            items,
            user=user,
            to_status=ReturnStatus.DRAFT,
            reason=reason,
            allowed_from=(ReturnStatus.APPROVED,),
        )


# The clerk's bulk actions: each return's outcome -------------------------------------------


@dataclass
class Outcome:
    """What a bulk action did with one return: ``done``, or why not in ``message``."""

    quarterly_return: QuarterlyReturn
    done: bool
    message: str


REVIEW_ACTIONS = ("approve", "send_back", "reopen")


def _refusal(action: str, item: QuarterlyReturn, version: int | None) -> str:
    """Why ``action`` does not apply to ``item`` (locked, current), or ""."""
    names = {"committee": item.committee.name, "status": item.get_status_display()}
    if version is not None and version != item.version:
        who = item.updated_by.get_username() if item.updated_by_id else _("someone")
        when = timezone.localtime(item.updated_at).strftime("%H:%M") if item.updated_at else ""
        return _(
            "%(committee)s: changed by %(who)s at %(when)s after you opened the page (now "
            "%(status)s); nothing was done. Look at it again before deciding."
        ) % {**names, "who": who, "when": when}
    if action == "reopen":
        if item.status != ReturnStatus.APPROVED:
            return (
                _(
                    "%(committee)s: %(status)s, not approved; only an approved return can be "
                    "reopened."
                )
                % names
            )
        return ""
    if item.status == ReturnStatus.SUBMITTED:
        return ""
    refusals = {
        ("approve", ReturnStatus.DRAFT): _(
            "%(committee)s: a draft, not yet submitted; it cannot be approved."
        ),
        ("approve", ReturnStatus.RETURNED): _(
            "%(committee)s: sent back, waiting for the street to correct and resubmit it; "
            "it cannot be approved."
        ),
        ("approve", ReturnStatus.APPROVED): _("%(committee)s: already approved."),
        ("send_back", ReturnStatus.DRAFT): _(
            "%(committee)s: a draft, not yet submitted; it cannot be sent back."
        ),
        ("send_back", ReturnStatus.RETURNED): _("%(committee)s: already sent back."),
        ("send_back", ReturnStatus.APPROVED): _(
            "%(committee)s: already approved; it cannot be sent back (an administrator may "
            "reopen it)."
        ),
    }
    fallback = _("%(committee)s: the return is %(status)s.")  # a status added later
    return refusals.get((action, item.status), fallback) % names


def returns_review(
    *,
    action: str,
    returns: Iterable[QuarterlyReturn],
    user,
    reason: str = "",
    versions: dict[int, int] | None = None,
) -> list[Outcome]:
    """A clerk's action on many returns at once (``approve``, ``send_back`` or ``reopen``):
    done on each return it fits, refused with the reason on the others, and one
    :class:`Outcome` per return in the order given.

    The returns are locked and checked together: a return whose status does not allow the
    action, or whose ``version`` moved on since the page showed it (``versions``: pk →
    version the user saw), is left as it is. The others go through :func:`return_approve`,
    :func:`return_send_back` or :func:`return_reopen` in the same transaction, so each
    transition stays whole (status, version, history, event). Without permission or a
    reason (to send back or reopen) nothing is done and the usual error is raised.
    """
    if action not in REVIEW_ACTIONS:
        raise WorkflowError(_("Unknown action."))
    codename = {
        "approve": "approve_quarterlyreturn",
        "send_back": "return_quarterlyreturn",
        "reopen": "reopen_quarterlyreturn",
    }[action]
    _require(user, codename)
    if action != "approve":
        reason = _reason(reason)
    returns, versions = list(returns), versions or {}
    with transaction.atomic():
        items = _lock(returns, user)
        outcomes, ready = {}, []
        for item in items:
            refusal = _refusal(action, item, versions.get(item.pk))
            if refusal:
                outcomes[item.pk] = Outcome(item, False, refusal)
            else:
                ready.append(item)
        if ready:
            if action == "approve":
                done = return_approve(returns=ready, user=user)
                text = _("%(committee)s: approved.")
            elif action == "send_back":
                done = return_send_back(returns=ready, user=user, reason=reason)
                text = _("%(committee)s: sent back.")
            else:
                done = return_reopen(returns=ready, user=user, reason=reason)
                text = _("%(committee)s: reopened, back to draft.")
            for item in done:
                outcomes[item.pk] = Outcome(item, True, text % {"committee": item.committee.name})
    order = list(dict.fromkeys(r.pk for r in returns))
    return [outcomes[pk] for pk in order if pk in outcomes]
