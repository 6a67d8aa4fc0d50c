"""The site's top navigation: each role sees the pages it may use, and nothing else.

Visibility follows the user's permissions (their role's group, ``accounts.roles``), never
usernames, and a link is shown only when its page would let the user in:

- quarterly returns (the index of quarters, then the grid): who may submit returns (street
  staff; administrators, who may do everything);
- review and completeness of the period due now: who may approve returns (clerks,
  administrators);
- budgets, scenarios, reports, the yearly 基本情况: every signed-in user (read-only pages);
- notices (通知公告): who may read notices (every role: street staff read their street's,
  the district posts them and follows who has read them);
- registers (the admin): every role works there (``is_staff``);
- users: who may see users (the district administrator).
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from overview.todo import period_of_interest

register = template.Library()


@dataclass
class NavLink:
    key: str
    label: str
    url: str
    current: bool = False


def nav_links(user, path: str = "") -> list[NavLink]:
    if user is None or not user.is_authenticated:
        return []
    year, quarter = period_of_interest(timezone.localdate())
    links = [NavLink("home", _("Home"), reverse("home"))]
    if user.has_perm("returns.submit_quarterlyreturn"):
        links.append(NavLink("returns", _("Quarterly returns"), reverse("returns:return-index")))
    if user.has_perm("returns.approve_quarterlyreturn"):
        links.append(
            NavLink("review", _("Review"), reverse("returns:return-review", args=[year, quarter]))
        )
        links.append(
            NavLink(
                "completeness",
                _("Completeness"),
                reverse("returns:completeness", args=[year, quarter]),
            )
        )
    links.append(NavLink("budgets", _("Budgets"), reverse("budgets:budget-overview")))
    if user.has_perm("budgets.view_scenario"):
        links.append(NavLink("scenarios", _("Scenarios"), reverse("budgets:scenario-list")))
    links.append(NavLink("reports", _("Reports"), reverse("reports:report-list")))
    links.append(
        NavLink("basic-situation", _("Basic situation"), reverse("overview:basic-situation"))
    )
    links.append(NavLink("yearly-report", _("Yearly report"), reverse("overview:yearly-report")))
    if user.has_perm("notices.view_notice"):
        links.append(NavLink("notices", _("Notices"), reverse("notices:list")))
    if user.is_staff:
        links.append(NavLink("registers", _("Registers"), reverse("admin:index")))
    if user.has_perm("accounts.view_user"):
        links.append(NavLink("users", _("Users"), reverse("admin:accounts_user_changelist")))
    # The current page: the longest link that the path starts with ("/" only for itself).
    matching = [
        link
        for link in links
        if path == link.url or (link.url != "/" and path.startswith(link.url))
    ]
    if matching:
        max(matching, key=lambda link: len(link.url)).current = True
    return links


@register.simple_tag(takes_context=True)
def site_nav(context):
    """``{% site_nav as links %}``: the links for the signed-in user (none when signed out,
    or on a page rendered without a request, such as the server-error page)."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return nav_links(user, getattr(request, "path", ""))
