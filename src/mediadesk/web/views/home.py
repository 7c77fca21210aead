"""The dashboard and the placeholder pages of the domains that arrive in later releases."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mediadesk.orgs import selectors
from mediadesk.orgs.permissions import Action, can
from mediadesk.web import health
from mediadesk.web.context import NAV_ITEMS
from mediadesk.web.views.common import grant_scopes, page_view, unit_trails


@dataclass(frozen=True)
class Placeholder:
    summary: str | Promise
    requirements: str


PLACEHOLDER_MODULES: dict[str, Placeholder] = {
    "inbox": Placeholder(
        _("Comments and messages from every account in one inbox, with saved replies."),
        "ENG",
    ),
    "analytics": Placeholder(
        _("Stored figures per account and per post, reports and exports."),
        "ANA",
    ),
    "risk": Placeholder(
        _("Public-opinion monitoring, alerts and incidents from warning to closure."),
        "RSK",
    ),
}

_NAV_BY_KEY = {i.key: i for item in NAV_ITEMS for i in (item, *item.children)}


@page_view
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    grants = list(selectors.roles_of(user))
    scopes = grant_scopes(grants)
    links = [
        (Action.PERSON_VIEW, "web:people", _("People"), _("Find a person, grant or revoke roles")),
        (
            Action.ORG_VIEW,
            "web:org_tree",
            _("Organisation"),
            _("Group, business units, departments"),
        ),
        (Action.AUDIT_VIEW, "web:audit", _("Audit log"), _("Who changed what, and when")),
        (None, "web:tokens", _("API tokens"), _("Personal tokens for scripts and integrations")),
        (None, "web:change_password", _("Change password"), _("Your own log-in password")),
    ]
    quick_links = [
        {"url_name": url, "label": label, "hint": hint}
        for action, url, label, hint in links
        if action is None or can(user, action)
    ]
    context = {
        "grants": [{"grant": g, "trail": scopes[g.pk]} for g in grants],
        "unit_trail": unit_trails([user.org_unit]).get(user.org_unit_id, ""),
        "quick_links": quick_links,
        "health": health.summary(),
        "is_superuser": user.is_superuser,
    }
    return render(request, "web/dashboard.html", context)


@page_view
def module_placeholder(request: HttpRequest, module: str) -> HttpResponse:
    item = _NAV_BY_KEY.get(module)
    placeholder = PLACEHOLDER_MODULES.get(module)
    if item is None or placeholder is None:
        raise Http404(module)
    if not item.allowed(request.user):
        return render(
            request,
            "web/error.html",
            {"status": 403, "message": _("You are not allowed to open this module.")},
            status=403,
        )
    context = {"module": module, "title": item.label, "placeholder": placeholder}
    return render(request, "web/placeholder.html", context)
