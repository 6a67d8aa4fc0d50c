"""Every URL of the project, walked for every role, with objects of the user's street and of
another street, against the role table of the design:

| role | sees | changes |
| district administrator | everything | everything, standards and users included |
| district clerk | every street | registers; approves or returns quarterly returns; exports |
| street staff | own street only | own committees' returns, own roster and premises |
| viewer | everything, read only | nothing |

A URL pattern that this file does not classify fails the walk: a new page must be added to
the tables below, with what each role may do there.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from scoping.rules import scope_queryset

ROLES = ("admin", "clerk", "street", "viewer")

# Domain models by what the design says about them. A model missing here fails the walk.
#   standard: administrators change it; everyone reads.
#   register: clerks and administrators change it; everyone reads (street staff their own).
#   street:   street staff change their own street's rows too.
MODEL_KINDS = {
    "communities.district": "register",
    "communities.planningstandard": "standard",
    "communities.street": "register",
    "communities.committee": "register",
    "communities.title": "register",
    "communities.communitycentre": "register",
    "staffing.position": "standard",
    "staffing.paystandard": "standard",
    "staffing.paycomponent": "street",
    "staffing.person": "street",
    "staffing.posting": "street",
    "staffing.trainingclass": "register",
    "staffing.attendance": "street",
    "staffing.examresult": "register",
    "staffing.qualification": "street",
    "facilities.premises": "street",
    "facilities.functionstandarditem": "standard",
    "facilities.compliance": "register",
    "facilities.areastandard": "standard",
    "budgets.officefundrate": "standard",
    "budgets.costshare": "standard",
    "budgets.partyaffairsallocation": "register",
    "budgets.scenario": "standard",
    "returns.validationrule": "standard",
    "returns.quarterdeadline": "standard",
    "returns.quarterlyreturn": "return",
    "returns.returnevent": "log",
    "targets.target": "register",
}
# Administration of the system itself: the administrator only (users, groups, lockouts).
SYSTEM_MODELS = {
    "auth.group": "system",
    # Users (accounts/admin.py, registered scoped by audit/admin.py): the administrator.
    "accounts.user": "system",
    # Lockouts: no role's group carries their permissions yet, so only a superuser opens
    # them. (Gap: the design's administrator should be able to unlock.)
    "axes.accessattempt": "superuser",
    "axes.accesslog": "superuser",
    "axes.accessfailurelog": "superuser",
    # The task queue's table (django-tasks-db): operations, superusers only.
    "django_tasks_database.dbtaskresult": "superuser",
    # Import records and the admin's uploads: written by the import path only; the
    # administrator reads them.
    "imports.importrecord": "audit",
    "imports.importjob": "audit",
}
ADMIN_MODEL_ACTIONS = {
    "changelist",
    "add",
    "change",
    "delete",
    "history",
    "simple_history",
    "import",
    "export",
}
WRITE_ACTIONS = {"add", "delete", "import"}

# Holes the walk found that belong to another app's admin, listed so they stay visible:
# remove an entry when it is fixed (the walk then holds the line).
KNOWN_HOLES: set[tuple[str, str]] = set()


def may_write(role: str, kind: str, action: str = "") -> bool:
    if kind == "return":
        # Returns are created by the quarter, never added or deleted by hand; changed by
        # street staff (own street), clerks and administrators.
        return action not in ("add",) and role in ("admin", "clerk", "street")
    return {
        "standard": role == "admin",
        "register": role in ("admin", "clerk"),
        "street": role in ("admin", "clerk", "street"),
        "system": role == "admin",
        "log": False,
        "superuser": False,
        "audit": False,
    }[kind]


def may_read(role: str, kind: str) -> bool:
    if kind == "superuser":
        return False
    return role == "admin" if kind in ("system", "audit") else True


# Every other named URL: (GET allowed for roles, POST allowed for roles or None if the page
# takes no POST). Anonymous users are sent to the login page everywhere except PUBLIC.
ALL = set(ROLES)
PAGES = {
    "home": (ALL, None),
    "reports:report-list": (ALL, None),
    "overview:basic-situation": (ALL, None),
    "overview:yearly-report": (ALL, None),
    "reports:report-detail": (ALL, None),
    "budgets:budget-overview": (ALL, None),
    "budgets:committee-budget": (ALL, None),
    # Approving a year's budget (核定) is the district administrator's.
    "budgets:budget-approval": ({"admin"}, {"admin"}),
    "budgets:scenario-list": (ALL, None),
    "budgets:scenario-compare": (ALL, None),
    "returns:return-index": (ALL, None),
    # Returns are "street" data (MODEL_KINDS): street staff, clerks and administrators write.
    # The grid's POST is tested in tests/returns and below (a bare POST is refused cleanly).
    "returns:return-grid": (ALL, None),
    # Reviewing is the clerk's work (and the administrator's).
    "returns:return-review": ({"admin", "clerk"}, {"admin", "clerk"}),
    "returns:completeness": (ALL, None),
    "returns:return-workbook": (ALL, None),
    "returns:return-import": ({"admin", "clerk", "street"}, {"admin", "clerk", "street"}),
    "returns:return-history": (ALL, None),
    "imports:template": (ALL, None),
    # An admin upload's page (progress, then result) and its progress JSON: for the user who
    # uploaded the file, whatever the role; anyone else's is a 404 (OWNER_PAGES).
    "imports:job": (ALL, None),
    "imports:job-progress": (ALL, None),
    "admin:index": (ALL, None),
    "admin:app_list": (ALL, None),
    "admin:autocomplete": (ALL, None),
    "admin:jsi18n": (ALL, None),
    "admin:view_on_site": (ALL, None),
    "admin:password_change": (ALL, ALL),
    "admin:password_change_done": (ALL, None),
    # Reminders (催报) from completeness: who reviews returns; POST only (a GET is a 405).
    "returns:completeness-remind": (set(), {"admin", "clerk"}),
    # Notices: everyone reads (street staff their street's: another's is a 404, SCOPED_PAGES);
    # the district's administrators and clerks post.
    "notices:list": (ALL, None),
    "notices:new": ({"admin", "clerk"}, {"admin", "clerk"}),
    "notices:detail": (ALL, None),
    "notices:attachment": (ALL, None),
}
PUBLIC = {"set_language", "admin:login", "admin:logout"}
UNNAMED = {"admin/(?P<url>.*)$"}  # the admin's catch-all (redirects or 404s)


def walk(patterns=None, prefix="", namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern)


ADMIN_NAME = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<action>[a-z_]+)$")


def admin_model_url(name):
    """(model label, action) for a per-model admin URL name, else None."""
    if not name:
        return None
    for action in sorted(ADMIN_MODEL_ACTIONS, key=len, reverse=True):
        suffix = f"_{action}"
        if name.startswith("admin:") and name.endswith(suffix):
            stem = name[len("admin:") : -len(suffix)]
            for label in (*MODEL_KINDS, *SYSTEM_MODELS):
                if stem == label.replace(".", "_"):
                    return label, action
    return None


def test_every_url_pattern_is_classified():
    unclassified = []
    for name, route in walk():
        if name in PAGES or name in PUBLIC or route in UNNAMED:
            continue
        if admin_model_url(name):
            continue
        if name is None and re.fullmatch(r"admin/[a-z_]+/[a-z]+/<path:object_id>/", route):
            continue  # the admin's old-style redirect to the change page
        unclassified.append((name, route))
    assert not unclassified, f"URL patterns with no expectation in this test: {unclassified}"


def test_every_model_with_an_admin_is_classified():
    from django.contrib import admin

    labels = {m._meta.label_lower for m in admin.site._registry}
    assert labels <= set(MODEL_KINDS) | set(SYSTEM_MODELS), (
        labels - set(MODEL_KINDS) - set(SYSTEM_MODELS)
    )


# ----------------------------------------------------------------------------------------


def objects_for(model, users):
    """(own-street object, other-street object) for street staff of 南湖; district-wide
    models give the same object twice."""
    if not hasattr(model, "street_scope"):  # system tables: not street data at all
        return model._default_manager.order_by("pk").first(), None
    own = scope_queryset(model._default_manager.all(), users["nanhu"]).order_by("pk").first()
    if getattr(model, "street_scope", None) is None:
        return own, None
    other = scope_queryset(model._default_manager.all(), users["binhu"]).order_by("pk").first()
    return own, other


def outcome(response) -> str:
    code = response.status_code
    if code in (200, 302) and not (code == 302 and "/login/" in response.get("Location", "")):
        return "ok"
    if code == 302:
        return "login"
    return {403: "refused", 404: "missing", 405: "refused"}.get(code, f"status {code}")


ROLE_USER = {"admin": "admin", "clerk": "clerk", "street": "nanhu", "viewer": "viewer"}


def admin_urls(label, action, own, other):
    app, model = label.split(".")
    base = f"/admin/{app}/{model}/"
    if action == "changelist":
        return [("", base)]
    if action in ("add", "import", "export"):
        return [("", f"{base}{action}/")]
    urls = []
    for which, obj in (("own", own), ("other", other)):
        if obj is None:
            continue
        if action == "simple_history":
            record = type(obj).history.filter(id=obj.pk).first()
            if record is None:
                obj.save()
                record = type(obj).history.filter(id=obj.pk).first()
            urls.append((which, f"{base}{obj.pk}/history/{record.history_id}/"))
        else:
            urls.append((which, f"{base}{obj.pk}/{action}/"))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_follow_the_role_table(role, users, demo):
    client = Client()
    client.force_login(users[ROLE_USER[role]])
    wrong = []
    for name, _route in walk():
        found = admin_model_url(name)
        if not found:
            continue
        label, action = found
        kind = MODEL_KINDS.get(label) or SYSTEM_MODELS[label]
        model = apps.get_model(label)
        own, other = objects_for(model, users)
        for which, url in admin_urls(label, action, own, other):
            hidden = role == "street" and which == "other"
            readable = may_read(role, kind)
            writable = may_write(role, kind, action)
            want = (
                "missing"
                if hidden and readable
                else ("ok" if (writable if action in WRITE_ACTIONS else readable) else "refused")
            )
            got = outcome(client.get(url))
            if (role, url) in KNOWN_HOLES:
                continue
            # Another street's row of a page the role may not open at all (users): "not
            # found" refuses it as well, and says no more.
            if got != want and not (want == "missing" and got == "refused"):
                if not (hidden and want == "refused" and got == "missing"):
                    wrong.append(("GET", url, want, got))
            if action in ("add", "change", "delete", "import"):
                want = "missing" if hidden and readable else ("ok" if writable else "refused")
                got = outcome(client.post(url, {}))
                if (role, url) in KNOWN_HOLES:
                    continue
                if got != want and not (want == "missing" and got == "refused"):
                    if not (hidden and want == "refused" and got == "missing"):
                        wrong.append(("POST", url, want, got))
    assert not wrong, "\n".join(map(str, wrong))


def import_job_for(user):
    from imports.models import ImportJob

    return ImportJob.objects.create(
        user=user,
        register="committees",
        file_name="walk.xlsx",
        phase=ImportJob.Phase.IMPORT,
        status=ImportJob.Status.DONE,
    )


def page_url(name, route, demo, users, which="own", role=None):
    committees = demo["committees"]
    own_committee = scope_queryset(
        apps.get_model("communities.committee").objects.order_by("pk"), users["nanhu"]
    ).first()
    other_committee = scope_queryset(
        apps.get_model("communities.committee").objects.order_by("pk"), users["binhu"]
    ).first()
    committee = own_committee if which == "own" else other_committee
    returns = apps.get_model("returns.quarterlyreturn").objects.filter(committee=committee)
    values = {
        "identifier": "funding",
        "year": "2006",
        "quarter": "4",
        "register": "committees",
        "app_label": "communities",
    }
    url = "/" + route
    if name == "budgets:committee-budget":
        values["pk"] = str(committee.pk)
    elif name == "budgets:scenario-compare":
        scenario = apps.get_model("budgets.scenario").objects.first()
        if scenario is None:
            return None
        values["pk"] = str(scenario.pk)
    elif name == "returns:return-history":
        values["pk"] = str(returns.first().pk)
    elif name in ("notices:detail", "notices:attachment"):
        values["pk"] = str(notice_for(committee.street).pk)
    elif name in OWNER_PAGES:
        owner = users[ROLE_USER[role or "clerk"]] if which == "own" else users["binhu"]
        values["token"] = str(import_job_for(owner).token)
    elif name == "admin:view_on_site":
        return None  # no model here has get_absolute_url
    elif name == "admin:app_list":
        return "/admin/communities/"
    elif name == "admin:autocomplete":
        return "/admin/autocomplete/?app_label=facilities&model_name=premises&field_name=committee"
    del committees
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], url)
    return url


def notice_for(street):
    """A notice with an attachment, delivered to ``street`` only."""
    from django.core.files.base import ContentFile

    from notices.models import Delivery, Notice

    notice = Notice(title="walk", body="walk", attachment_name="walk.pdf")
    notice.attachment.save("walk.pdf", ContentFile(b"%PDF-1.4 walk"), save=False)
    notice.save()
    Delivery.objects.create(notice=notice, street=street)
    return notice


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


SCOPED_PAGES = {
    "budgets:committee-budget",
    "returns:return-history",
    "notices:detail",
    "notices:attachment",
}
OWNER_PAGES = {"imports:job", "imports:job-progress"}  # "other": another user's, for all


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_role_table(role, users, demo):
    client = Client()
    client.force_login(users[ROLE_USER[role]])
    wrong = []
    for name, route in walk():
        if name not in PAGES:
            continue
        readers, writers = PAGES[name]
        both = name in SCOPED_PAGES or name in OWNER_PAGES
        for which in ("own", "other") if both else ("own",):
            url = page_url(name, route, demo, users, which, role)
            if url is None:
                continue
            hidden = which == "other" and (role == "street" or name in OWNER_PAGES)
            want = "missing" if hidden else ("ok" if role in readers else "refused")
            got = outcome(client.get(url))
            if got != want:
                wrong.append(("GET", url, want, got))
            if writers is not None:
                want = "ok" if role in writers else "refused"
                got = outcome(client.post(url, {}))
                if got not in (want, "status 400") or (want == "refused" and got != "refused"):
                    wrong.append(("POST", url, want, got))
    assert not wrong, "\n".join(map(str, wrong))


def test_anonymous_is_sent_to_login_everywhere(demo, users):
    client = Client()
    wrong = []
    for name, route in walk():
        if name in PUBLIC or route in UNNAMED:
            continue
        if name in PAGES:
            url = page_url(name, route, demo, users)
        elif admin_model_url(name):
            label, action = admin_model_url(name)
            own, other = objects_for(apps.get_model(label), users)
            urls = admin_urls(label, action, own, other)
            url = urls[0][1] if urls else None
        else:
            continue
        if url is None:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if name == "admin:jsi18n" and response.status_code == 200:
                continue  # the admin's translation catalogue is public JavaScript
            if outcome(response) != "login":
                wrong.append((method, url, response.status_code))
    assert not wrong, wrong
