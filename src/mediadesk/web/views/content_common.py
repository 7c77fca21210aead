"""What the content and review pages share: where people may draft, how a variant is shown
(problems, delivery plan, preview), compliance findings highlighted in place, the timeline.

Everything here reads: the judgements come from :mod:`mediadesk.content` (``delivery``,
``library``, ``selectors``) and the compliance engine; these helpers only arrange them for the
templates. Text the author wrote is never marked safe except article bodies, which the content
service sanitised (nh3) before they were stored or previewed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediadesk.accounts import selectors as account_selectors
from mediadesk.accounts.models import AccountStatus, Platform, SocialAccount
from mediadesk.compliance import services as compliance
from mediadesk.content import delivery, library, selectors
from mediadesk.content.access import may_plan
from mediadesk.content.models import Asset, ContentItem, Variant
from mediadesk.content.services import plain_text
from mediadesk.orgs import selectors as org_selectors
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, can
from mediadesk.platforms.connectors import weibo_rules
from mediadesk.web.views.compliance import SEVERITY_LABELS, category_label, segments

FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "digest": gettext_lazy("Digest"),
    "body": gettext_lazy("Body"),
}
_MENTION = re.compile(r"@[^\s@#:：,，。.!！?？、;；()（）\[\]【】]{1,30}")
_SHORT_TOPIC = re.compile(r"#[^\s#]{1,50}")
STATE_BADGES = {
    selectors.ItemState.DRAFT: "badge-muted",
    selectors.ItemState.IN_REVIEW: "badge-info",
    selectors.ItemState.CHANGES_REQUESTED: "badge-warn",
    selectors.ItemState.REJECTED: "badge-danger",
    selectors.ItemState.APPROVED: "badge-ok",
}


# -- where a person drafts and plans ----------------------------------------------------------


def units_where(user: Any, allowed: Any) -> list[OrgUnit]:
    """Units (tree order) for which ``allowed(user, unit)`` holds; the person's own unit when
    they may not see the organisation tree."""
    if can(user, Action.ORG_VIEW):
        units = org_selectors.unit_tree(user=user)
    else:
        units = [user.org_unit] if getattr(user, "org_unit", None) else []
    return [u for u in units if allowed(user, u)]


def readable_units(user: Any) -> list[OrgUnit]:
    return units_where(user, lambda u, unit: can(u, Action.CONTENT_VIEW, unit))


def draft_units(user: Any) -> list[OrgUnit]:
    return units_where(user, lambda u, unit: can(u, Action.CONTENT_DRAFT, unit))


def planning_units(user: Any) -> list[OrgUnit]:
    return units_where(user, may_plan)


def draftable_accounts(user: Any) -> list[SocialAccount]:
    """Accounts ``user`` may draft variants for (not closed), by unit and platform."""
    accounts = (
        account_selectors.visible_accounts(user, Action.CONTENT_DRAFT)
        .exclude(status=AccountStatus.CLOSED)
        .order_by("owning_unit__path", "platform", "name")
    )
    return [a for a in accounts if can(user, Action.CONTENT_DRAFT, a)]


def readable_accounts(user: Any) -> list[SocialAccount]:
    return list(
        account_selectors.visible_accounts(user, Action.CONTENT_VIEW).order_by(
            "owning_unit__path", "platform", "name"
        )
    )


def usable_assets(user: Any, unit: OrgUnit) -> list[Asset]:
    """The library a variant of ``unit`` may use, as far as ``user`` may read it."""
    readable = selectors.list_assets(user=user, unit=unit).values_list("pk", flat=True)
    return list(library.assets_usable_by(unit).filter(pk__in=readable).order_by("-created_at"))


# -- assets -----------------------------------------------------------------------------------


def asset_url(asset: Asset) -> str:
    """The page's own, permission-checked address of a library file (never a public URL)."""
    url = reverse("web:content_asset_file", kwargs={"asset_id": asset.pk})
    return f"{url}?v={asset.sha256[:10]}"


def asset_url_template() -> str:
    """``asset_url`` with ``__id__`` for the asset id (the article editor's pictures)."""
    return reverse("web:content_asset_file", kwargs={"asset_id": 0}).replace("/0/", "/__id__/")


LICENCE_BADGES = {
    library.LicenceState.OK: "badge-ok",
    library.LicenceState.EXPIRING: "badge-warn",
    library.LicenceState.EXPIRED: "badge-danger",
    library.LicenceState.UNKNOWN: "badge-danger",
    library.LicenceState.CONSENT_MISSING: "badge-danger",
}


def licence_badges(asset: Asset) -> list[dict[str, Any]]:
    return [
        {"state": s.value, "label": library.LICENCE_STATE_LABELS[s], "badge": LICENCE_BADGES[s]}
        for s in library.licence_states(asset)
    ]


# -- a variant: problems, delivery plan, preview ------------------------------------------------


def rich_text(text: str, platform: str) -> list[dict[str, str]]:
    """``text`` cut into plain runs, #topics# and @mentions (the preview colours them)."""
    topic = weibo_rules.TOPIC if platform in (Platform.WEIBO, *delivery.WECHAT) else _SHORT_TOPIC
    pattern = re.compile(f"({topic.pattern})|({_MENTION.pattern})")
    pieces, cursor = [], 0
    for match in pattern.finditer(text):
        if match.start() > cursor:
            pieces.append({"kind": "text", "text": text[cursor : match.start()]})
        pieces.append({"kind": "topic" if match.group(1) else "mention", "text": match.group(0)})
        cursor = match.end()
    if cursor < len(text):
        pieces.append({"kind": "text", "text": text[cursor:]})
    return pieces


def variant_view(variant: Variant) -> dict[str, Any]:
    """Everything the pages show about one variant: its preview, what blocks it (platform rules
    and licences), and how it will go out."""
    preview = delivery.preview(variant, url=asset_url)
    assets = Asset.objects.filter(pk__in=delivery.variant_asset_ids(variant)).order_by("pk")
    asset_problems = [p.message for a in assets for p in library.asset_problems(a)]
    plan = preview.delivery
    low, high = delivery.DOUYIN_VIDEO_SECONDS
    seconds = preview.video_seconds
    return {
        "variant": variant,
        "account": variant.account,
        "platform": variant.account.platform,
        "is_wechat": variant.account.platform in delivery.WECHAT,
        "is_weibo": variant.account.platform == Platform.WEIBO,
        "is_douyin": variant.account.platform == Platform.DOUYIN,
        "preview": preview,
        "pieces": rich_text(preview.text, variant.account.platform),
        "over_limit": bool(preview.length_limit and preview.length > preview.length_limit),
        "problems": [p["message"] for p in preview.problems],
        "asset_problems": asset_problems,
        "plan": plan,
        "plan_label": _delivery_label(plan),
        "pictures": [
            m
            for m in ([preview.cover] if preview.cover else []) + preview.media
            if m["kind"] == "image"
        ],
        "videos": [m for m in preview.media if m["kind"] == "video"],
        "video_off": seconds is not None and not low <= seconds <= high,
    }


def variant_cards(item: ContentItem) -> list[dict[str, Any]]:
    """Each saved variant of ``item`` as the preview cards show it."""
    return [
        {"account": v.account, "status": variant_view(v)}
        for v in item.variants.select_related("account").order_by("account")
    ]


def _delivery_label(plan: dict[str, Any]) -> str:
    if not plan["via_api"]:
        return _("Assisted: a person posts it in the app")
    if plan["mode"] == delivery.DELIVERY_MASS_SEND:
        return _("Through the platform's API (mass send)")
    return _("Through the platform's API")


# -- compliance findings highlighted in place ---------------------------------------------------


def findings_view(
    findings: list[dict[str, Any]], snapshot: dict[str, Any] | None, unit: OrgUnit
) -> dict[str, Any]:
    """A round's findings numbered and placed in the text they were found in.

    ``snapshot`` is the revision the round checked (``Revision.snapshot``): the offsets point
    into that text, which may differ from what the item says now.
    """
    categories = compliance.effective_lexicon(unit).categories
    variants = (snapshot or {}).get("variants") or []
    texts: list[tuple[dict[str, Any], str, str]] = []
    for v in variants:
        for field in ("title", "digest", "body"):
            text = plain_text(v.get("body", "")) if field == "body" else v.get(field, "")
            texts.append((v, field, text))
    rows: list[dict[str, Any]] = []
    groups = []
    number = 0
    for v, field, text in texts:
        marks = sorted(
            (f for f in findings if f.get("account") == v["account"] and f.get("field") == field),
            key=lambda f: (f["start"], f["end"]),
        )
        if not marks:
            continue
        mine = []
        for finding in marks:
            number += 1
            label = category_label(categories, finding["category"])
            severity = SEVERITY_LABELS.get(finding["severity"], finding["severity"])
            tip = f"{label} · {severity}"
            if finding.get("suggestion"):
                tip += " · " + _("Suggestion: %(s)s") % {"s": finding["suggestion"]}
            row = {
                **finding,
                "n": number,
                "label": label,
                "severity_label": severity,
                "tip": tip,
                "where": f"{v.get('account_name', '')} · {FIELD_LABELS[field]}",
            }
            mine.append(row)
            rows.append(row)
        groups.append(
            {
                "account_name": v.get("account_name", ""),
                "field": field,
                "field_label": FIELD_LABELS[field],
                "segments": segments(text, mine),
            }
        )
    blocks = sum(1 for r in rows if r["severity"] == "block")
    return {"groups": groups, "rows": rows, "blocks": blocks, "notices": len(rows) - blocks}


# -- the timeline -------------------------------------------------------------------------------


def diff_lines(diff: str) -> list[dict[str, Any]]:
    """A unified diff as lines to colour — added, removed, hunk headers, context — with the
    characters that changed marked inside a removed line and the added line replacing it (a
    paragraph is one line of the revision text, so a one-word fix must not hide in it)."""
    lines: list[dict[str, Any]] = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            continue
        if line.startswith("@@"):
            kind, text = "hunk", line
        elif line.startswith("+"):
            kind, text = "add", line[1:]
        elif line.startswith("-"):
            kind, text = "del", line[1:]
        else:
            kind, text = "ctx", line[1:]
        lines.append({"kind": kind, "text": text, "parts": [{"text": text, "changed": False}]})
    index = 0
    while index < len(lines):
        dels = _run(lines, index, "del")
        adds = _run(lines, index + len(dels), "add") if dels else []
        for old, new in zip(dels, adds, strict=False):
            old["parts"], new["parts"] = _changed_parts(old["text"], new["text"])
        index += max(1, len(dels) + len(adds))
    return lines


def _run(lines: list[dict[str, Any]], start: int, kind: str) -> list[dict[str, Any]]:
    run = []
    while start + len(run) < len(lines) and lines[start + len(run)]["kind"] == kind:
        run.append(lines[start + len(run)])
    return run


def _changed_parts(old: str, new: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            before.append({"text": old[i1:i2], "changed": op != "equal"})
        if j2 > j1:
            after.append({"text": new[j1:j2], "changed": op != "equal"})
    return before, after


TIMELINE_CLASSES = {
    "approved": "tl-approved",
    "approve": "tl-approved",
    "approve_with_comment": "tl-approved",
    "request_changes": "tl-returned",
    "changes_requested": "tl-returned",
    "reject": "tl-rejected",
    "rejected": "tl-rejected",
    "superseded": "tl-superseded",
}


def timeline_view(item: ContentItem) -> list[dict[str, Any]]:
    entries = []
    for entry in selectors.timeline(item):
        obj = entry.obj
        key = ""
        if entry.kind == "decision":
            key = obj.action
        elif entry.kind == "closed":
            key = obj.status
        entries.append(
            {
                "entry": entry,
                "css": TIMELINE_CLASSES.get(key, f"tl-{entry.kind}"),
                "diff": diff_lines(entry.detail) if entry.kind == "revision" else [],
                "first": entry.kind == "revision" and obj.number == 1,
            }
        )
    return entries


def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "badge-muted")


def item_rows(items: Iterable[ContentItem]) -> list[dict[str, Any]]:
    """List rows: the item with its state label, badge and stage."""
    rows = []
    for item in items:
        state = selectors.state_of(getattr(item, "review_status", None))
        rows.append(
            {
                "item": item,
                "state": state,
                "label": selectors.ItemState.labels[state],
                "badge": state_badge(state),
                "stage": (getattr(item, "review_stage_name", "") or "")
                if state == selectors.ItemState.IN_REVIEW
                else "",
            }
        )
    return rows
