"""API for content planning and review: goals, topics, the media library, content items with
their variants, review rounds and decisions, workflows and the review flow table (模板2).

Every handler calls the same services and selectors as the pages. Editing an item names the
revision the form showed (``base_revision``) and a decision names the round's ``revision`` and
``version``: a stale form or a decision someone else made first is a 409, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from mediadesk.accounts.models import SocialAccount
from mediadesk.content import (
    delivery,
    exports,
    library,
    planning,
    selectors,
    services,
    workflows,
)
from mediadesk.content.models import (
    Asset,
    AssetKind,
    ContentFormat,
    ContentItem,
    DecisionAction,
    Goal,
    GoalMetric,
    LicenceKind,
    Topic,
    TopicCategory,
    Variant,
    Workflow,
    WorkflowState,
)
from mediadesk.core.errors import NotFound, ValidationFailed
from mediadesk.core.pagination import MAX_PAGE_SIZE, page_of
from mediadesk.orgs.models import OrgUnit

router = Router(tags=["content"])


# -- shared ---------------------------------------------------------------------------------


class PageQuery(Schema):
    page: int = 1
    page_size: int = 50


def _page_list(
    rows: list[Any], page: int, page_size: int, serialize: Callable[[Any], Any]
) -> dict[str, Any]:
    if page < 1:
        raise ValidationFailed("page must be 1 or more", fields={"page": "must be ≥ 1"})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}",
            fields={"page_size": f"must be 1–{MAX_PAGE_SIZE}"},
        )
    start = (page - 1) * page_size
    return {
        "items": [serialize(r) for r in rows[start : start + page_size]],
        "total": len(rows),
        "page": page,
        "page_size": page_size,
    }


def _unit(unit_id: int | None, field: str = "owning_unit_id") -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationFailed(f"unit {unit_id} does not exist", fields={field: "no such unit"})
    return unit


def _required_unit(unit_id: int, field: str = "owning_unit_id") -> OrgUnit:
    unit = _unit(unit_id, field)
    assert unit is not None
    return unit


def _account(account_id: int, field: str = "account_id") -> SocialAccount:
    account = SocialAccount.objects.select_related("owning_unit").filter(pk=account_id).first()
    if account is None:
        raise ValidationFailed(
            f"account {account_id} does not exist", fields={field: "no such account"}
        )
    return account


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- goals (CNT-1) --------------------------------------------------------------------------


class GoalIn(Schema):
    owning_unit_id: int
    name: str = Field(min_length=1, max_length=200)
    metric: GoalMetric
    target: int = Field(gt=0)
    deadline: dt.date
    starts_on: dt.date | None = None
    platforms: list[str] = Field(default_factory=list, description="Platform values; [] = all")
    notes: str = ""


class GoalPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    metric: GoalMetric | None = None
    target: int | None = Field(default=None, gt=0)
    deadline: dt.date | None = None
    starts_on: dt.date | None = None
    platforms: list[str] | None = None
    notes: str | None = None


class GoalOut(Schema):
    id: int
    owning_unit_id: int
    name: str
    metric: str
    target: int
    starts_on: dt.date | None
    deadline: dt.date
    platforms: list[str]
    notes: str
    archived: bool
    item_count: int = 0


class GoalPage(Schema):
    items: list[GoalOut]
    total: int
    page: int
    page_size: int


class GoalFilter(PageQuery):
    unit: int | None = Field(default=None, description="goals this unit may use (and above)")
    q: str | None = None
    include_archived: bool = False


class ItemSummaryOut(Schema):
    id: int
    title: str
    owning_unit_id: int
    author_id: int
    goal_id: int | None
    topic_id: int | None
    format: str
    is_backup: bool
    backup_for: str
    target_exposure: int
    target_interaction: int
    target_conversion: int
    revision_number: int
    state: str = Field(description="draft / in_review / changes_requested / rejected / approved")
    stage: str = Field(description="the stage an item in review is at")
    stage_level: int | None
    updated_at: dt.datetime


class GoalDetailOut(GoalOut):
    items: list[ItemSummaryOut]
    planned: dict[str, int] = Field(description="sum of the items' targets per figure")


def _goal_out(goal: Goal) -> dict[str, Any]:
    data = {name: getattr(goal, name) for name in GoalOut.model_fields if hasattr(goal, name)}
    data["item_count"] = getattr(goal, "item_count", 0)
    return data


def _item_summary(item: ContentItem) -> dict[str, Any]:
    data = {
        name: getattr(item, name)
        for name in ItemSummaryOut.model_fields
        if name not in ("state", "stage", "stage_level")
    }
    status = getattr(item, "review_status", None)
    data["state"] = selectors.state_of(status)
    in_review = data["state"] == selectors.ItemState.IN_REVIEW
    data["stage"] = (getattr(item, "review_stage_name", None) or "") if in_review else ""
    data["stage_level"] = getattr(item, "review_stage_level", None) if in_review else None
    return data


@router.get("/content/goals", response=GoalPage)
def list_goals(request: HttpRequest, filters: Query[GoalFilter]) -> dict[str, Any]:
    goals = selectors.list_goals(
        user=request.auth,
        unit=_unit(filters.unit, "unit"),
        include_archived=filters.include_archived,
        q=filters.q,
    )
    return page_of(goals, page=filters.page, page_size=filters.page_size, serialize=_goal_out)


@router.post("/content/goals", response={201: GoalOut})
def create_goal(request: HttpRequest, payload: GoalIn) -> Status:
    data = payload.dict()
    unit = _required_unit(data.pop("owning_unit_id"))
    goal = planning.create_goal(actor=request.auth, owning_unit=unit, **data)
    return Status(201, _goal_out(goal))


@router.get("/content/goals/{goal_id}", response=GoalDetailOut)
def get_goal(request: HttpRequest, goal_id: int) -> dict[str, Any]:
    goal = selectors.get_goal(user=request.auth, goal_id=goal_id)
    progress = selectors.goal_with_items(user=request.auth, goal=goal)
    return {
        **_goal_out(goal),
        "item_count": len(progress.items),
        "items": [_item_summary(i) for i in progress.items],
        "planned": progress.planned,
    }


@router.patch("/content/goals/{goal_id}", response=GoalOut)
def update_goal(request: HttpRequest, goal_id: int, payload: GoalPatch) -> dict[str, Any]:
    goal = selectors.get_goal(user=request.auth, goal_id=goal_id)
    changes = payload.dict(exclude_unset=True)
    return _goal_out(planning.update_goal(actor=request.auth, goal=goal, **changes))


@router.post("/content/goals/{goal_id}/archive", response=GoalOut)
def archive_goal(request: HttpRequest, goal_id: int) -> dict[str, Any]:
    goal = selectors.get_goal(user=request.auth, goal_id=goal_id)
    return _goal_out(planning.archive_goal(actor=request.auth, goal=goal))


# -- topics (CNT-2) -------------------------------------------------------------------------


class TopicIn(Schema):
    owning_unit_id: int
    name: str = Field(min_length=1, max_length=200)
    category: TopicCategory
    audience: str = ""
    notes: str = ""


class TopicPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    category: TopicCategory | None = None
    audience: str | None = None
    notes: str | None = None


class TopicOut(Schema):
    id: int
    owning_unit_id: int
    name: str
    category: str
    audience: str
    notes: str
    archived: bool
    item_count: int = 0


class TopicPage(Schema):
    items: list[TopicOut]
    total: int
    page: int
    page_size: int


class TopicFilter(PageQuery):
    unit: int | None = None
    category: TopicCategory | None = None
    q: str | None = None
    include_archived: bool = False


class MatrixRowOut(Schema):
    category: str
    label: str
    item_count: int
    topics: list[TopicOut]


def _topic_out(topic: Topic) -> dict[str, Any]:
    data = {name: getattr(topic, name) for name in TopicOut.model_fields if hasattr(topic, name)}
    data["item_count"] = getattr(topic, "item_count", 0)
    return data


@router.get("/content/topics", response=TopicPage)
def list_topics(request: HttpRequest, filters: Query[TopicFilter]) -> dict[str, Any]:
    topics = selectors.list_topics(
        user=request.auth,
        unit=_unit(filters.unit, "unit"),
        category=filters.category,
        include_archived=filters.include_archived,
        q=filters.q,
    )
    return page_of(topics, page=filters.page, page_size=filters.page_size, serialize=_topic_out)


@router.get("/content/topics/matrix", response=list[MatrixRowOut])
def topic_matrix(request: HttpRequest, unit: int | None = None) -> list[dict[str, Any]]:
    """The topic matrix: each category with its topics and how many items each has."""
    return [
        {
            "category": row.category,
            "label": row.label,
            "item_count": row.item_count,
            "topics": [_topic_out(t) for t in row.topics],
        }
        for row in selectors.topic_matrix(user=request.auth, unit=_unit(unit, "unit"))
    ]


@router.post("/content/topics", response={201: TopicOut})
def create_topic(request: HttpRequest, payload: TopicIn) -> Status:
    data = payload.dict()
    unit = _required_unit(data.pop("owning_unit_id"))
    return Status(
        201, _topic_out(planning.create_topic(actor=request.auth, owning_unit=unit, **data))
    )


@router.get("/content/topics/{topic_id}", response=TopicOut)
def get_topic(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    return _topic_out(selectors.get_topic(user=request.auth, topic_id=topic_id))


@router.patch("/content/topics/{topic_id}", response=TopicOut)
def update_topic(request: HttpRequest, topic_id: int, payload: TopicPatch) -> dict[str, Any]:
    topic = selectors.get_topic(user=request.auth, topic_id=topic_id)
    changes = payload.dict(exclude_unset=True)
    return _topic_out(planning.update_topic(actor=request.auth, topic=topic, **changes))


@router.post("/content/topics/{topic_id}/archive", response=TopicOut)
def archive_topic(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    topic = selectors.get_topic(user=request.auth, topic_id=topic_id)
    return _topic_out(planning.archive_topic(actor=request.auth, topic=topic))


# -- assets (CNT-4) -------------------------------------------------------------------------


class AssetUploadIn(Schema):
    owning_unit_id: int
    title: str = ""
    source: str = ""
    licence: LicenceKind = LicenceKind.UNKNOWN
    licence_note: str = ""
    licensed_until: dt.date | None = None
    people_pictured: str = Field(default="", description="names, separated by commas")
    portrait_consent: bool = False
    consent_note: str = ""


class AssetPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    source: str | None = None
    licence: LicenceKind | None = None
    licence_note: str | None = None
    licensed_until: dt.date | None = None
    people_pictured: list[str] | None = None
    portrait_consent: bool | None = None
    consent_note: str | None = None


class AssetProblemOut(Schema):
    asset: int
    code: str
    message: str


class AssetOut(Schema):
    id: int
    owning_unit_id: int
    title: str
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    duration_seconds: float | None
    source: str
    licence: str
    licence_note: str
    licensed_until: dt.date | None
    people_pictured: list[str]
    portrait_consent: bool
    consent_note: str
    archived: bool
    created_at: dt.datetime
    licence_states: list[str] = Field(
        description="ok / expiring / expired / unknown / consent_missing"
    )
    problems: list[AssetProblemOut] = Field(description="what blocks content using it today")
    url: str = Field(description="the file, served after a permission check")


class AssetPage(Schema):
    items: list[AssetOut]
    total: int
    page: int
    page_size: int


class AssetFilter(PageQuery):
    unit: int | None = Field(default=None, description="assets this unit may use")
    kind: AssetKind | None = None
    licence_state: library.LicenceState | None = None
    q: str | None = None
    include_archived: bool = False


def _asset_out(asset: Asset) -> dict[str, Any]:
    data = {name: getattr(asset, name) for name in AssetOut.model_fields if hasattr(asset, name)}
    data["licence_states"] = [s.value for s in library.licence_states(asset)]
    data["problems"] = [p.as_dict() for p in library.asset_problems(asset)]
    data["url"] = delivery.asset_url(asset)
    return data


@router.get("/content/assets", response=AssetPage)
def list_assets(request: HttpRequest, filters: Query[AssetFilter]) -> dict[str, Any]:
    assets = selectors.list_assets(
        user=request.auth,
        unit=_unit(filters.unit, "unit"),
        kind=filters.kind,
        licence_state=filters.licence_state,
        q=filters.q,
        include_archived=filters.include_archived,
    )
    return page_of(assets, page=filters.page, page_size=filters.page_size, serialize=_asset_out)


@router.post("/content/assets", response={201: AssetOut})
def upload_asset(
    request: HttpRequest, details: Form[AssetUploadIn], file: File[UploadedFile]
) -> Status:
    """Multipart upload: the file plus its licence details. The type is read from the bytes."""
    data = details.dict()
    unit = _required_unit(data.pop("owning_unit_id"))
    asset = library.upload_asset(
        actor=request.auth,
        owning_unit=unit,
        data=file,
        filename=file.name or "",
        **data,
    )
    return Status(201, _asset_out(asset))


@router.get("/content/assets/{asset_id}", response=AssetOut)
def get_asset(request: HttpRequest, asset_id: int) -> dict[str, Any]:
    return _asset_out(selectors.get_asset(user=request.auth, asset_id=asset_id))


@router.patch("/content/assets/{asset_id}", response=AssetOut)
def update_asset(request: HttpRequest, asset_id: int, payload: AssetPatch) -> dict[str, Any]:
    asset = selectors.get_asset(user=request.auth, asset_id=asset_id)
    changes = payload.dict(exclude_unset=True)
    return _asset_out(library.update_asset(actor=request.auth, asset=asset, **changes))


@router.post("/content/assets/{asset_id}/archive", response=AssetOut)
def archive_asset(request: HttpRequest, asset_id: int) -> dict[str, Any]:
    asset = selectors.get_asset(user=request.auth, asset_id=asset_id)
    return _asset_out(library.archive_asset(actor=request.auth, asset=asset))


@router.get("/content/assets/{asset_id}/file", url_name="content_asset_file")
def asset_file(request: HttpRequest, asset_id: int) -> FileResponse:
    """The file itself, for people who may read the library it is in (never a public URL)."""
    asset = selectors.get_asset(user=request.auth, asset_id=asset_id)
    try:
        handle = asset.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound(f"The file of asset {asset_id} is missing from storage.") from exc
    response = FileResponse(
        handle,
        content_type=asset.content_type or "application/octet-stream",
        as_attachment=asset.kind == AssetKind.FONT,
        filename=asset.original_name or asset.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


# -- items ----------------------------------------------------------------------------------


class VariantIn(Schema):
    account_id: int
    title: str = ""
    digest: str = ""
    body: str = Field(default="", description='HTML; library pictures as <img src="asset:N">')
    original_url: str = ""
    media: list[int] = Field(default_factory=list, description="media-library asset ids")
    cover: int | None = Field(default=None, description="asset id of the cover picture")
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="platform details: WeChat author/open_comments/fans_only_comments/delivery;"
        " Douyin cart_url/poi_id/at_users/micro_app_id/micro_app_title/cover_tsp",
    )


class ItemIn(Schema):
    owning_unit_id: int
    title: str = Field(min_length=1, max_length=200)
    goal_id: int
    topic_id: int | None = None
    format: ContentFormat = ContentFormat.ARTICLE
    notes: str = ""
    backup_for: str = Field(default="", description="non-empty: backup content for this event")
    target_exposure: int = Field(default=0, ge=0)
    target_interaction: int = Field(default=0, ge=0)
    target_conversion: int = Field(default=0, ge=0)
    variants: list[VariantIn] = Field(min_length=1)


class ItemPatch(Schema):
    base_revision: int = Field(description="the revision the form showed")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    goal_id: int | None = None
    topic_id: int | None = Field(default=None, description="null clears the topic")
    format: ContentFormat | None = None
    notes: str | None = None
    target_exposure: int | None = Field(default=None, ge=0)
    target_interaction: int | None = Field(default=None, ge=0)
    target_conversion: int | None = Field(default=None, ge=0)
    variants: list[VariantIn] | None = Field(
        default=None, description="the whole new set; a variant left out is removed"
    )


class ItemFilter(PageQuery):
    q: str | None = Field(default=None, description="search in titles")
    unit: int | None = None
    goal: int | None = None
    topic: int | None = None
    backup: bool | None = None
    state: str | None = Field(
        default=None, description="draft / in_review / changes_requested / rejected / approved"
    )
    author: int | None = None
    account: int | None = None


class ItemPage(Schema):
    items: list[ItemSummaryOut]
    total: int
    page: int
    page_size: int


class VariantOut(Schema):
    id: int
    account_id: int
    account_name: str
    platform: str
    title: str
    digest: str
    body: str
    original_url: str
    media: list[int]
    cover_id: int | None
    extra: dict[str, Any]


class StatusOut(Schema):
    state: str
    label: str
    round: int | None
    round_version: int | None = Field(description="send it back with a decision")
    round_revision: int | None
    stage: str
    stage_level: int | None
    approved_matches: bool = Field(description="approved, and unchanged since")


class ItemDetailOut(ItemSummaryOut):
    notes: str
    approved_revision: int | None
    variants: list[VariantOut]
    status: StatusOut
    findings: list[dict[str, Any]] = Field(description="compliance findings of the latest round")


class BackupIn(Schema):
    backup_for: str | None = Field(description="the event or crisis; null or empty unmarks it")


class CopyIn(Schema):
    account_id: int
    base_revision: int
    replace: bool = False


class SubmitIn(Schema):
    override_request: str = Field(
        default="", description="ask legal to override a blocking finding: why it is fine"
    )


class RoundOut(Schema):
    id: int
    item_id: int
    item_title: str
    status: str
    stage: str
    stage_level: int | None
    stage_checklist: list[str]
    version: int
    revision: int
    requires_legal: bool
    findings: list[dict[str, Any]]
    override_request: str
    override_reason: str
    submitted_by_id: int
    submitted_at: dt.datetime
    completed_at: dt.datetime | None


class RoundPage(Schema):
    items: list[RoundOut]
    total: int
    page: int
    page_size: int


class TimelineOut(Schema):
    at: dt.datetime
    kind: str = Field(description="revision / submitted / decision / closed")
    who_id: int | None
    who: str
    summary: str
    detail: str


class VariantPlanOut(Schema):
    variant: int
    account_id: int
    platform: str
    problems: list[dict[str, Any]]
    plan: dict[str, Any]


def _variants_in(rows: list[VariantIn]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        data = row.dict()
        data["account"] = _account(data.pop("account_id"), "variants.account_id")
        out.append(data)
    return out


def _variant_out(variant: Variant) -> dict[str, Any]:
    return {
        "id": variant.pk,
        "account_id": variant.account_id,
        "account_name": variant.account.name,
        "platform": variant.account.platform,
        "title": variant.title,
        "digest": variant.digest,
        "body": variant.body,
        "original_url": variant.original_url,
        "media": [int(m) for m in variant.media or []],
        "cover_id": variant.cover_id,
        "extra": dict(variant.extra or {}),
    }


def _item_detail(user: Any, item_id: int) -> dict[str, Any]:
    item = selectors.with_state(
        selectors.visible_items(user).filter(pk=item_id).select_related("approved_revision")
    ).first()
    if item is None:
        raise NotFound(f"There is no content {item_id}.")
    return {
        **_item_summary(item),
        "notes": item.notes,
        "approved_revision": item.approved_revision.number if item.approved_revision else None,
        "variants": [_variant_out(v) for v in item.variants.select_related("account")],
        "status": selectors.item_status(item).as_dict(),
        "findings": selectors.current_findings(item),
    }


def _round_out(state: WorkflowState) -> dict[str, Any]:
    stage = state.stage
    return {
        "id": state.pk,
        "item_id": state.item_id,
        "item_title": state.item.title,
        "status": state.status,
        "stage": stage.name if stage else "",
        "stage_level": stage.level if stage else None,
        "stage_checklist": list(stage.checklist) if stage else [],
        "version": state.version,
        "revision": state.revision.number,
        "requires_legal": state.requires_legal,
        "findings": list(state.findings),
        "override_request": state.override_request,
        "override_reason": state.override_reason,
        "submitted_by_id": state.submitted_by_id,
        "submitted_at": state.submitted_at,
        "completed_at": state.completed_at,
    }


@router.get("/content/items", response=ItemPage)
def list_items(request: HttpRequest, filters: Query[ItemFilter]) -> dict[str, Any]:
    items = selectors.list_items(
        user=request.auth,
        q=filters.q,
        unit=_unit(filters.unit, "unit"),
        goal=filters.goal,
        topic=filters.topic,
        backup=filters.backup,
        state=filters.state,
        author=filters.author,
        account=filters.account,
    )
    return page_of(items, page=filters.page, page_size=filters.page_size, serialize=_item_summary)


@router.post("/content/items", response={201: ItemDetailOut})
def create_item(request: HttpRequest, payload: ItemIn) -> Status:
    data = payload.dict()
    unit = _required_unit(data.pop("owning_unit_id"))
    item = services.create_item(
        actor=request.auth,
        owning_unit=unit,
        goal=data.pop("goal_id"),
        topic=data.pop("topic_id"),
        variants=_variants_in(payload.variants),
        **{k: v for k, v in data.items() if k != "variants"},
    )
    return Status(201, _item_detail(request.auth, item.pk))


@router.get("/content/items/{item_id}", response=ItemDetailOut)
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    return _item_detail(request.auth, item_id)


@router.patch("/content/items/{item_id}", response=ItemDetailOut)
def update_item(request: HttpRequest, item_id: int, payload: ItemPatch) -> dict[str, Any]:
    item = selectors.get_item(user=request.auth, item_id=item_id)
    data = payload.dict(exclude_unset=True)
    targets = {
        k: data.pop(k)
        for k in ("target_exposure", "target_interaction", "target_conversion")
        if k in data and data[k] is not None
    }
    kwargs: dict[str, Any] = {
        "title": data.get("title"),
        "goal": data.get("goal_id"),
        "format": data.get("format"),
        "notes": data.get("notes"),
        "targets": targets or None,
    }
    if "topic_id" in data:
        kwargs["topic"] = data["topic_id"]
    if payload.variants is not None:
        kwargs["variants"] = _variants_in(payload.variants)
    services.update_item(
        actor=request.auth, item=item, base_revision=payload.base_revision, **kwargs
    )
    return _item_detail(request.auth, item_id)


@router.post("/content/items/{item_id}/backup", response=ItemDetailOut)
def set_backup(request: HttpRequest, item_id: int, payload: BackupIn) -> dict[str, Any]:
    """Mark as backup content prepared for an event or crisis (CNT-5), or unmark."""
    item = selectors.get_item(user=request.auth, item_id=item_id)
    services.set_backup(actor=request.auth, item=item, backup_for=payload.backup_for)
    return _item_detail(request.auth, item_id)


@router.post("/content/items/{item_id}/variants/{variant_id}/copy", response={201: ItemDetailOut})
def copy_variant(request: HttpRequest, item_id: int, variant_id: int, payload: CopyIn) -> Status:
    """Copy one variant to another account, on purpose (never an automatic sync)."""
    item = selectors.get_item(user=request.auth, item_id=item_id)
    source = item.variants.filter(pk=variant_id).first()
    if source is None:
        raise NotFound(f"Content {item_id} has no variant {variant_id}.")
    services.copy_variant(
        actor=request.auth,
        item=item,
        source=source,
        account=_account(payload.account_id),
        base_revision=payload.base_revision,
        replace=payload.replace,
    )
    return Status(201, _item_detail(request.auth, item_id))


@router.get("/content/items/{item_id}/preview", response=list[dict[str, Any]])
def preview_item(request: HttpRequest, item_id: int) -> list[dict[str, Any]]:
    """Each variant as it will look: pictures in place, character count, topics, mentions."""
    item = selectors.get_item(user=request.auth, item_id=item_id)
    return [
        delivery.preview(v).as_dict()
        for v in item.variants.select_related("account").order_by("account")
    ]


@router.get("/content/items/{item_id}/delivery", response=list[VariantPlanOut])
def delivery_plans(request: HttpRequest, item_id: int) -> list[dict[str, Any]]:
    """How each variant will go out (API or assisted, and why) and what still blocks it."""
    item = selectors.get_item(user=request.auth, item_id=item_id)
    return [
        {
            "variant": v.pk,
            "account_id": v.account_id,
            "platform": v.account.platform,
            "problems": [p.as_dict() for p in delivery.variant_problems(v)],
            "plan": delivery.delivery_plan(v).as_dict(),
        }
        for v in item.variants.select_related("account").order_by("account")
    ]


@router.post("/content/items/{item_id}/submit", response={201: RoundOut})
def submit_item(request: HttpRequest, item_id: int, payload: SubmitIn) -> Status:
    item = selectors.get_item(user=request.auth, item_id=item_id)
    state = services.submit_for_review(
        actor=request.auth, item=item, override_request=payload.override_request
    )
    return Status(201, _round_out(selectors.get_round(user=request.auth, round_id=state.pk)))


@router.get("/content/items/{item_id}/timeline", response=list[TimelineOut])
def item_timeline(request: HttpRequest, item_id: int) -> list[dict[str, Any]]:
    item = selectors.get_item(user=request.auth, item_id=item_id)
    return [
        {
            "at": e.at,
            "kind": e.kind,
            "who_id": getattr(e.who, "pk", None),
            "who": str(e.who) if e.who else "",
            "summary": e.summary,
            "detail": e.detail,
        }
        for e in selectors.timeline(item)
    ]


# -- reviews --------------------------------------------------------------------------------


class DecideIn(Schema):
    action: DecisionAction
    revision: int = Field(description="the revision the reviewer read")
    version: int = Field(description="the round's version the form showed")
    opinion: str = ""
    checklist: dict[str, bool] = Field(default_factory=dict)
    override_reason: str = Field(default="", description="legal stage: why a blocking finding")


@router.get("/content/reviews/awaiting", response=RoundPage)
def awaiting_my_review(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    """Rounds whose current stage waits for me."""
    rounds = selectors.awaiting_my_review(user=request.auth)
    return _page_list(rounds, paging.page, paging.page_size, _round_out)


@router.get("/content/reviews/returned", response=RoundPage)
def returned_to_me(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    """My items that came back: changes requested, rejected, or left with me by an edit."""
    rounds = selectors.returned_to_me(user=request.auth).select_related("stage", "revision")
    return page_of(rounds, page=paging.page, page_size=paging.page_size, serialize=_round_out)


@router.get("/content/reviews/{round_id}", response=RoundOut)
def get_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    return _round_out(selectors.get_round(user=request.auth, round_id=round_id))


@router.post("/content/reviews/{round_id}/decide", response=RoundOut)
def decide(request: HttpRequest, round_id: int, payload: DecideIn) -> dict[str, Any]:
    """Approve, approve with comment, request changes or reject at the round's current stage.
    A stale ``revision``/``version`` (someone acted first, or the content changed) is a 409."""
    state = selectors.get_round(user=request.auth, round_id=round_id)
    state = services.decide(
        actor=request.auth,
        state=state,
        action=payload.action,
        revision=payload.revision,
        version=payload.version,
        opinion=payload.opinion,
        checklist=payload.checklist,
        override_reason=payload.override_reason,
    )
    return _round_out(selectors.get_round(user=request.auth, round_id=state.pk))


# -- backup content (CNT-5) -----------------------------------------------------------------


class BackupGroupOut(Schema):
    prepared_for: str
    items: list[ItemSummaryOut]
    approved: list[int] = Field(description="ids of the items ready to schedule")


class BackupPage(Schema):
    items: list[BackupGroupOut]
    total: int
    page: int
    page_size: int


class BackupFilter(PageQuery):
    unit: int | None = None
    prepared_for: str | None = None


@router.get("/content/backups", response=BackupPage)
def backup_items(request: HttpRequest, filters: Query[BackupFilter]) -> dict[str, Any]:
    """Backup content by the event it is prepared for, with each item's review state."""
    groups = selectors.backup_items(
        user=request.auth, unit=_unit(filters.unit, "unit"), prepared_for=filters.prepared_for
    )
    return _page_list(
        groups,
        filters.page,
        filters.page_size,
        lambda g: {
            "prepared_for": g.prepared_for,
            "items": [_item_summary(i) for i in g.items],
            "approved": [i.pk for i in g.approved],
        },
    )


# -- workflows (REV-1, REV-2) ---------------------------------------------------------------


class StageIn(Schema):
    id: int | None = Field(default=None, description="an existing stage to keep")
    name: str
    level: int = 1
    role: str = ""
    people: list[int] = Field(default_factory=list)
    mode: str = "any"
    checklist: list[str] = Field(default_factory=list)
    is_legal: bool = False


class WorkflowIn(Schema):
    name: str
    owning_unit_id: int | None = None
    account_id: int | None = None
    stages: list[StageIn]


class WorkflowPatch(Schema):
    name: str | None = None
    stages: list[StageIn] | None = None


class StageOut(Schema):
    id: int
    order: int
    name: str
    level: int
    role: str
    people: list[int]
    mode: str
    checklist: list[str]
    is_legal: bool


class WorkflowOut(Schema):
    id: int
    name: str
    owning_unit_id: int | None
    account_id: int | None
    is_default: bool
    active: bool
    stages: list[StageOut]


class WorkflowPage(Schema):
    items: list[WorkflowOut]
    total: int
    page: int
    page_size: int


class WorkflowFilter(PageQuery):
    include_inactive: bool = False


def _workflow_out(workflow: Workflow) -> dict[str, Any]:
    data = workflows.workflow_data(workflow)
    return {
        "id": workflow.pk,
        "name": data["name"],
        "owning_unit_id": data["owning_unit"],
        "account_id": data["account"],
        "is_default": data["is_default"],
        "active": data["active"],
        "stages": data["stages"],
    }


@router.get("/content/workflows", response=WorkflowPage)
def list_workflows(request: HttpRequest, filters: Query[WorkflowFilter]) -> dict[str, Any]:
    services.seed_default_workflow()
    found = selectors.list_workflows(user=request.auth, include_inactive=filters.include_inactive)
    return page_of(found, page=filters.page, page_size=filters.page_size, serialize=_workflow_out)


@router.post("/content/workflows", response={201: WorkflowOut})
def create_workflow(request: HttpRequest, payload: WorkflowIn) -> Status:
    workflow = workflows.create_workflow(
        actor=request.auth,
        name=payload.name,
        stages=[s.dict() for s in payload.stages],
        owning_unit=_unit(payload.owning_unit_id),
        account=_account(payload.account_id) if payload.account_id is not None else None,
    )
    return Status(201, _workflow_out(workflow))


@router.get("/content/workflows/{workflow_id}", response=WorkflowOut)
def get_workflow(request: HttpRequest, workflow_id: int) -> dict[str, Any]:
    return _workflow_out(selectors.get_workflow(user=request.auth, workflow_id=workflow_id))


@router.patch("/content/workflows/{workflow_id}", response=WorkflowOut)
def update_workflow(
    request: HttpRequest, workflow_id: int, payload: WorkflowPatch
) -> dict[str, Any]:
    workflow = selectors.get_workflow(user=request.auth, workflow_id=workflow_id)
    updated = workflows.update_workflow(
        actor=request.auth,
        workflow=workflow,
        name=payload.name,
        stages=[s.dict() for s in payload.stages] if payload.stages is not None else None,
    )
    return _workflow_out(updated)


@router.post("/content/workflows/{workflow_id}/deactivate", response=WorkflowOut)
def deactivate_workflow(request: HttpRequest, workflow_id: int) -> dict[str, Any]:
    workflow = selectors.get_workflow(user=request.auth, workflow_id=workflow_id)
    return _workflow_out(workflows.deactivate_workflow(actor=request.auth, workflow=workflow))


# -- the review flow table (模板2, REV-4) ----------------------------------------------------


class ReviewFlowRowOut(Schema):
    round_id: int
    item_id: int
    title: str = Field(description="内容标题")
    submitted: dt.date = Field(description="提交日期")
    l1_reviewer: str = Field(description="一审人（内容策划）")
    l1_opinion: str = Field(description="一审意见")
    l2_reviewer: str = Field(description="二审人（部门经理）")
    l2_opinion: str = Field(description="二审意见")
    l3_reviewer: str = Field(description="三审人（法务）")
    l3_opinion: str = Field(description="三审意见")
    result: str = Field(description="最终结果")
    completed_at: dt.datetime | None = Field(description="审核完成时间")


class ReviewFlowPage(Schema):
    items: list[ReviewFlowRowOut]
    total: int
    page: int
    page_size: int


class ReviewFlowFilter(PageQuery):
    unit: int | None = None


def _flow_row(row: selectors.ReviewFlowRow) -> dict[str, Any]:
    return {
        "round_id": row.state.pk,
        "item_id": row.state.item_id,
        "title": row.title,
        "submitted": row.submitted,
        "l1_reviewer": row.reviewers[0],
        "l1_opinion": row.opinions[0],
        "l2_reviewer": row.reviewers[1],
        "l2_opinion": row.opinions[1],
        "l3_reviewer": row.reviewers[2],
        "l3_opinion": row.opinions[2],
        "result": row.result,
        "completed_at": row.completed_at,
    }


@router.get("/content/review-flow", response=ReviewFlowPage)
def review_flow(request: HttpRequest, filters: Query[ReviewFlowFilter]) -> dict[str, Any]:
    rows = selectors.review_flow_rows(user=request.auth, unit=_unit(filters.unit, "unit"))
    return _page_list(rows, filters.page, filters.page_size, _flow_row)


@router.get("/content/review-flow.xlsx")
def review_flow_export(request: HttpRequest, unit: int | None = None) -> HttpResponse:
    """模板2 as an Excel file with the seed's headers; the export is audited."""
    content, filename = exports.export_review_flow(actor=request.auth, unit=_unit(unit, "unit"))
    return _xlsx(content, filename)
