"""Planning content: SMART goals (CNT-1), the topic matrix (CNT-2), the media library (CNT-4) and
backup content by event (CNT-5).

Goals, topics and assets are planned by whoever drafts or configures content in a unit; the
services check that (``content.access``) and audit every change. Library files are served only
through :func:`asset_file`, which checks that the reader may see the library they belong to.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mediadesk.content import library, planning, selectors
from mediadesk.content.access import may_plan
from mediadesk.content.models import AssetKind, GoalMetric, TopicCategory
from mediadesk.core.errors import DomainError, NotFound, PermissionDenied
from mediadesk.orgs.permissions import Action, require
from mediadesk.web.content_forms import (
    AssetFilterForm,
    AssetMetaForm,
    AssetUploadForm,
    GoalForm,
    TopicForm,
)
from mediadesk.web.views.common import form_error, page_view, paginate, query_without_page
from mediadesk.web.views.content_common import (
    asset_url,
    item_rows,
    licence_badges,
    planning_units,
)

# -- goals ------------------------------------------------------------------------------------


@page_view
def goals(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    units = planning_units(user)
    show_archived = request.GET.get("archived") == "1"
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        units=units,
        initial={"unit": units[0].pk if len(units) == 1 else ""},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                goal = planning.create_goal(
                    actor=user, owning_unit=form.cleaned_data["unit"], **form.values()
                )
            except PermissionDenied:
                raise
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The goal “%(g)s” was set.") % {"g": goal.name})
                return redirect("web:content_goal", goal_id=goal.pk)
    rows = selectors.list_goals(user=user, include_archived=show_archived).order_by(
        "archived", "deadline", "pk"
    )
    context = {
        "goals": rows,
        "form": form,
        "can_plan": bool(units),
        "show_archived": show_archived,
        "open_form": request.method == "POST" or request.GET.get("new") == "1",
        "metrics": dict(GoalMetric.choices),
    }
    return render(request, "web/content/goals.html", context, status=status)


@page_view
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    user = request.user
    goal = selectors.get_goal(user=user, goal_id=goal_id)
    can_edit = may_plan(user, goal)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    initial = {f: getattr(goal, f) for f in planning.GOAL_FIELDS}
    form = GoalForm(request.POST if op == "edit" else None, initial=initial)
    status = 200
    if op:
        try:
            if op == "archive":
                planning.archive_goal(actor=user, goal=goal)
                messages.success(request, _("The goal was archived."))
                return redirect("web:content_goal", goal_id=goal.pk)
            if op == "edit":
                status = 400
                if form.is_valid():
                    planning.update_goal(actor=user, goal=goal, **form.values())
                    messages.success(request, _("The goal was saved."))
                    return redirect("web:content_goal", goal_id=goal.pk)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form_error(form, exc)
    progress = selectors.goal_with_items(user=user, goal=goal)
    context = {
        "goal": goal,
        "progress": progress,
        "rows": item_rows(progress.items),
        "form": form,
        "can_edit": can_edit and not goal.archived,
        "open_form": op == "edit",
    }
    return render(request, "web/content/goal_detail.html", context, status=status)


# -- topics -----------------------------------------------------------------------------------


@page_view
def topics(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    units = planning_units(user)
    form = TopicForm(
        request.POST if request.method == "POST" else None,
        units=units,
        initial={
            "unit": units[0].pk if len(units) == 1 else "",
            "category": request.GET.get("category", ""),
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                topic = planning.create_topic(
                    actor=user, owning_unit=form.cleaned_data["unit"], **form.values()
                )
            except PermissionDenied:
                raise
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The topic “%(t)s” was added.") % {"t": topic.name})
                return redirect("web:content_topics")
    context = {
        "matrix": selectors.topic_matrix(user=user),
        "form": form,
        "can_plan": bool(units),
        "open_form": request.method == "POST" or bool(request.GET.get("category")),
        "categories": TopicCategory.choices,
    }
    return render(request, "web/content/topics.html", context, status=status)


@page_view
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = request.user
    topic = selectors.get_topic(user=user, topic_id=topic_id)
    can_edit = may_plan(user, topic)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    initial = {f: getattr(topic, f) for f in planning.TOPIC_FIELDS}
    form = TopicForm(request.POST if op == "edit" else None, initial=initial)
    status = 200
    if op:
        try:
            if op == "archive":
                planning.archive_topic(actor=user, topic=topic)
                messages.success(request, _("The topic was archived."))
                return redirect("web:content_topic", topic_id=topic.pk)
            if op == "edit":
                status = 400
                if form.is_valid():
                    planning.update_topic(actor=user, topic=topic, **form.values())
                    messages.success(request, _("The topic was saved."))
                    return redirect("web:content_topic", topic_id=topic.pk)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form_error(form, exc)
    items = selectors.list_items(user=user, topic=topic)
    context = {
        "topic": topic,
        "rows": item_rows(items[:50]),
        "item_count": items.count(),
        "form": form,
        "can_edit": can_edit and not topic.archived,
    }
    return render(request, "web/content/topic_detail.html", context, status=status)


# -- the media library ------------------------------------------------------------------------


@page_view
def assets(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    units = planning_units(user)
    filters_form = AssetFilterForm(request.GET or None)
    filters = filters_form.cleaned_data if filters_form.is_valid() else {}
    upload = AssetUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        units=units,
        initial={"unit": units[0].pk if len(units) == 1 else "", "licence": "unknown"},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if upload.is_valid():
            data = upload.cleaned_data
            try:
                asset = library.upload_asset(
                    actor=user,
                    owning_unit=data["unit"],
                    data=data["file"],
                    filename=data["file"].name,
                    **upload.values(),
                )
            except PermissionDenied:
                raise
            except DomainError as exc:
                form_error(upload, exc)
            else:
                messages.success(
                    request, _("“%(t)s” was added to the media library.") % {"t": asset.title}
                )
                return redirect("web:content_asset", asset_id=asset.pk)
    found = selectors.list_assets(
        user=user,
        kind=filters.get("kind") or None,
        licence_state=filters.get("licence_state") or None,
        q=filters.get("q") or None,
        include_archived=bool(filters.get("archived")),
    ).order_by("-created_at", "-pk")
    page = paginate(request, found, per_page=24)
    context = {
        "filters": filters_form,
        "page": page,
        "cards": [
            {"asset": a, "url": asset_url(a), "badges": licence_badges(a)} for a in page.object_list
        ],
        "query": query_without_page(request),
        "upload": upload,
        "can_plan": bool(units),
        "open_form": request.method == "POST",
        "max_mb": library.max_bytes() // (1024 * 1024),
    }
    return render(request, "web/content/assets.html", context, status=status)


@page_view
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    user = request.user
    asset = selectors.get_asset(user=user, asset_id=asset_id)
    can_edit = may_plan(user, asset) and not asset.archived
    op = request.POST.get("op", "") if request.method == "POST" else ""
    form = AssetMetaForm(
        request.POST if op == "edit" else None, initial=AssetMetaForm.initial_for(asset)
    )
    status = 200
    if op:
        try:
            if op == "archive":
                library.archive_asset(actor=user, asset=asset)
                messages.success(request, _("The asset was archived."))
                return redirect("web:content_asset", asset_id=asset.pk)
            if op == "edit":
                status = 400
                if form.is_valid():
                    values = form.values()
                    if not values.get("title"):
                        values.pop("title")
                    library.update_asset(actor=user, asset=asset, **values)
                    messages.success(request, _("The asset's record was saved."))
                    return redirect("web:content_asset", asset_id=asset.pk)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form_error(form, exc)
    context = {
        "asset": asset,
        "url": asset_url(asset),
        "badges": licence_badges(asset),
        "problems": [p.message for p in library.asset_problems(asset)],
        "form": form,
        "can_edit": can_edit,
        "is_image": asset.kind == AssetKind.IMAGE,
        "is_video": asset.kind == AssetKind.VIDEO,
        "is_music": asset.kind == AssetKind.MUSIC,
    }
    return render(request, "web/content/asset_detail.html", context, status=status)


@page_view
def asset_file(request: HttpRequest, asset_id: int) -> HttpResponse:
    """The file itself, for people who may read the library it is in (never a public URL)."""
    asset = selectors.get_asset(user=request.user, asset_id=asset_id)
    try:
        handle = asset.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound(_("The file of this asset is missing from storage.")) from exc
    response = FileResponse(
        handle,
        content_type=asset.content_type or "application/octet-stream",
        as_attachment=asset.kind == AssetKind.FONT,
        filename=asset.original_name or asset.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# -- backup content ---------------------------------------------------------------------------


@page_view
def backups(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    q = (request.GET.get("q") or "").strip()
    groups = selectors.backup_items(user=user, prepared_for=q or None)
    context = {
        "q": q,
        "groups": [
            {
                "name": g.prepared_for,
                "ready": len(g.approved),
                "rows": item_rows(g.items),
            }
            for g in groups
        ],
    }
    return render(request, "web/content/backups.html", context)
