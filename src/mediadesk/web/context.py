"""Template context for every page: the navigation the current person may use.

Each navigation item names the permission it needs (any one of ``actions``); items the person
may not use are left out, and the pages themselves check again through the permission service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mediadesk.notifications.selectors import unread_count
from mediadesk.orgs.permissions import Action, can


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    icon: str
    actions: tuple[Action, ...] = ()  # any one of them suffices; empty means "any person"
    children: tuple[NavItem, ...] = ()

    def allowed(self, user: Any) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return not self.actions or any(can(user, action) for action in self.actions)


A = Action

SETTINGS_ITEMS: tuple[NavItem, ...] = (
    NavItem("org", _("Organisation"), "web:org_tree", "tree", (A.ORG_VIEW,)),
    NavItem("people", _("People"), "web:people", "users", (A.PERSON_VIEW,)),
    NavItem("roles", _("Roles"), "web:roles", "key", (A.PERSON_VIEW,)),
    NavItem("tokens", _("API tokens"), "web:tokens", "token"),
    NavItem(
        "notification_settings", _("Notification settings"), "web:notification_settings", "bell"
    ),
    NavItem("robots", _("Group robots"), "web:robots", "bell", (A.SETTINGS_MANAGE,)),
    NavItem("workflows", _("Review workflows"), "web:workflows", "check", (A.SETTINGS_MANAGE,)),
)

ACCOUNT_ITEMS: tuple[NavItem, ...] = (
    NavItem("account_matrix", _("Matrix overview"), "web:accounts", "grid", (A.ACCOUNT_VIEW,)),
    NavItem("account_list", _("Account list"), "web:account_list", "grid", (A.ACCOUNT_VIEW,)),
    NavItem("applications", _("Applications"), "web:applications", "file", (A.ACCOUNT_VIEW,)),
    NavItem("filings", _("Filings"), "web:filings", "file", (A.ACCOUNT_VIEW,)),
    NavItem(
        "rotation_tasks",
        _("Credential rotation"),
        "web:rotation_tasks",
        "key",
        (A.CREDENTIAL_MANAGE,),
    ),
    NavItem(
        "brand_standards", _("Brand standards"), "web:brand_standards", "check", (A.ACCOUNT_VIEW,)
    ),
    NavItem(
        "personal_check",
        _("Personal accounts"),
        "web:personal_check",
        "users",
        (A.ACCOUNT_MANAGE,),
    ),
)

CONTENT_ITEMS: tuple[NavItem, ...] = (
    NavItem("content_list", _("Content list"), "web:content", "file", (A.CONTENT_VIEW,)),
    NavItem("content_goals", _("Goals"), "web:content_goals", "file", (A.CONTENT_VIEW,)),
    NavItem("content_topics", _("Topic matrix"), "web:content_topics", "grid", (A.CONTENT_VIEW,)),
    NavItem("content_assets", _("Media library"), "web:content_assets", "file", (A.CONTENT_VIEW,)),
    NavItem(
        "content_backups", _("Backup content"), "web:content_backups", "file", (A.CONTENT_VIEW,)
    ),
)

REVIEW_ITEMS: tuple[NavItem, ...] = (
    NavItem(
        "review_awaiting",
        _("Awaiting my review"),
        "web:review",
        "check",
        (A.CONTENT_REVIEW_L1, A.CONTENT_REVIEW_L2, A.CONTENT_REVIEW_L3),
    ),
    NavItem(
        "review_returned", _("Returned to me"), "web:review_returned", "check", (A.CONTENT_DRAFT,)
    ),
    NavItem("review_flow", _("Review flow table"), "web:review_flow", "file", (A.CONTENT_VIEW,)),
)

#: The publishing section (发布): calendar, scheduling, publications, the publish plan (模板1),
#: reposts (secondary propagation) and publishing settings.
PUBLISHING_ITEMS: tuple[NavItem, ...] = (
    NavItem("calendar", _("Calendar"), "web:calendar", "calendar", (A.CONTENT_VIEW,)),
    NavItem(
        "publishing_schedule",
        _("Schedule a post"),
        "web:publishing_schedule",
        "calendar",
        (A.CONTENT_PUBLISH,),
    ),
    NavItem("publications", _("Publications"), "web:publications", "file", (A.CONTENT_VIEW,)),
    NavItem("publishing_plan", _("Publish plan"), "web:publishing_plan", "file", (A.CONTENT_VIEW,)),
    NavItem(
        "publishing_reposts", _("Reposts"), "web:publishing_reposts", "users", (A.CONTENT_VIEW,)
    ),
    NavItem(
        "publishing_settings",
        _("Publishing settings"),
        "web:publishing_settings",
        "settings",
        (A.CONTENT_VIEW,),
    ),
)

COMPLIANCE_ITEMS: tuple[NavItem, ...] = (
    NavItem("compliance_check", _("Check copy"), "web:compliance_check", "check"),
    NavItem("compliance_lexicon", _("Lexicon"), "web:compliance_lexicon", "file"),
)

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("dashboard", _("Dashboard"), "web:dashboard", "home"),
    NavItem("notifications", _("Notifications"), "web:notifications", "bell"),
    NavItem(
        "accounts",
        _("Account matrix"),
        "web:accounts",
        "grid",
        (A.ACCOUNT_VIEW,),
        children=ACCOUNT_ITEMS,
    ),
    NavItem(
        "content", _("Content"), "web:content", "file", (A.CONTENT_VIEW,), children=CONTENT_ITEMS
    ),
    NavItem(
        "compliance",
        _("Compliance check"),
        "web:compliance_check",
        "check",
        children=COMPLIANCE_ITEMS,
    ),
    NavItem(
        "review",
        _("Review"),
        "web:review",
        "check",
        (A.CONTENT_VIEW,),  # the review flow table (模板2) is for every content reader
        children=REVIEW_ITEMS,
    ),
    NavItem(
        "publishing",
        _("Publishing"),
        "web:calendar",
        "calendar",
        (A.CONTENT_VIEW,),
        children=PUBLISHING_ITEMS,
    ),
    NavItem("inbox", _("Interactions"), "web:inbox", "inbox", (A.INBOX_VIEW,)),
    NavItem(
        "analytics",
        _("Analytics"),
        "web:analytics",
        "chart",
        (A.ANALYTICS_VIEW,),
    ),
    NavItem(
        "risk",
        _("Public opinion & risk"),
        "web:risk",
        "alert",
        (A.RISK_VIEW,),
    ),
    NavItem("audit", _("Audit log"), "web:audit", "shield", (A.AUDIT_VIEW,)),
    NavItem("settings", _("Settings"), "web:org_tree", "settings", children=SETTINGS_ITEMS),
)

# Which navigation key a URL name belongs to, for highlighting the current section.
_SECTION_OF_URL = {
    "dashboard": "dashboard",
    **{m: m for m in ("accounts", "inbox", "analytics", "risk")},
    "audit": "audit",
    "audit_export": "audit",
    "audit_verify": "audit",
    "org_tree": "org",
    "unit_detail": "org",
    "unit_delete": "org",
    "people": "people",
    "person_new": "people",
    "person_detail": "people",
    "roles": "roles",
    "tokens": "tokens",
    "notifications": "notifications",
    "notification_open": "notifications",
    "notification_settings": "notification_settings",
    "robots": "robots",
    "robot_test": "robots",
    "robot_remove": "robots",
    # the account matrix
    "accounts": "account_matrix",
    "account_list": "account_list",
    "account_detail": "account_list",
    "account_export": "account_list",
    "account_import": "account_list",
    "account_import_template": "account_list",
    "account_apply": "applications",
    "applications": "applications",
    "application_detail": "applications",
    "filings": "filings",
    "filing_complete": "filings",
    "rotation_tasks": "rotation_tasks",
    "brand_standards": "brand_standards",
    "brand_standard": "brand_standards",
    "company_names": "brand_standards",
    "personal_check": "personal_check",
    "person_offboard": "people",
    # content and review
    "content": "content_list",
    "content_new": "content_list",
    "content_preview": "content_list",
    "content_detail": "content_list",
    "content_edit": "content_list",
    "content_copy_variant": "content_list",
    "content_goals": "content_goals",
    "content_goal": "content_goals",
    "content_topics": "content_topics",
    "content_topic": "content_topics",
    "content_assets": "content_assets",
    "content_asset": "content_assets",
    "content_asset_file": "content_assets",
    "content_backups": "content_backups",
    "review": "review_awaiting",
    "review_round": "review_awaiting",
    "review_returned": "review_returned",
    "review_flow": "review_flow",
    "review_flow_export": "review_flow",
    "workflows": "workflows",
    "workflow_new": "workflows",
    "workflow_detail": "workflows",
    # publishing: the plan, reposts, planning settings
    "publishing_plan": "publishing_plan",
    "publishing_plan_entry": "publishing_plan",
    "publishing_plan_export": "publishing_plan",
    "publishing_plan_import": "publishing_plan",
    "publishing_plan_template": "publishing_plan",
    "publishing_reposts": "publishing_reposts",
    "publishing_settings": "publishing_settings",
    "publishing_frequency": "publishing_settings",
    "publishing_pauses": "publishing_settings",
    "publishing_blackouts": "publishing_settings",
    # publishing
    "calendar": "calendar",
    "publishing_schedule": "publishing_schedule",
    "publications": "publications",
    "publication_detail": "publications",
    "publication_move": "publications",
    # compliance
    "compliance_check": "compliance_check",
    "compliance_lexicon": "compliance_lexicon",
    "compliance_entry_remove": "compliance_lexicon",
}


def _active_key(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "web":
        return ""
    return _SECTION_OF_URL.get(match.url_name or "", "")


def _entry(item: NavItem, active: str, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "key": item.key,
        "label": item.label,
        "url": reverse(item.url_name),
        "icon": item.icon,
        "active": item.key == active or any(c["active"] for c in children),
        "children": children,
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_items``: the sections this person may open, with the current one marked;
    ``unread_notifications`` for the badge in the top bar (one COUNT query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_active": "", "unread_notifications": 0}
    active = _active_key(request)
    items = []
    for item in NAV_ITEMS:
        children = [_entry(c, active, []) for c in item.children if c.allowed(user)]
        if item.children and not children:
            continue
        if not item.allowed(user):
            continue
        entry = _entry(item, active, children)
        if children:
            entry["url"] = children[0]["url"]
        items.append(entry)
    return {
        "nav_items": items,
        "nav_active": active,
        "unread_notifications": unread_count(user=user),
    }
