"""Content items (CNT-1, CNT-3, CNT-5): the list, the editor with one variant per account, an
item with its previews, findings and timeline, and its submission for review.

The views read the request and call :mod:`mediadesk.content` — ``services`` to change, the
``selectors`` and ``delivery`` to read. An edit names the revision the form showed; a stale form
is refused by the service (a conflict) and the page keeps what the person typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediadesk.accounts.models import SocialAccount
from mediadesk.content import selectors, services
from mediadesk.content.drafts import draft_variant
from mediadesk.content.models import ContentItem, ReviewStatus, Variant
from mediadesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.web.content_forms import (
    CopyVariantForm,
    ItemFilterForm,
    ItemForm,
    SubmitForm,
    VariantForm,
)
from mediadesk.web.forms import unit_choices
from mediadesk.web.views.common import form_error, page_view, paginate, query_without_page
from mediadesk.web.views.content_common import (
    asset_url_template,
    draft_units,
    draftable_accounts,
    findings_view,
    item_rows,
    readable_accounts,
    readable_units,
    state_badge,
    timeline_view,
    usable_assets,
    variant_cards,
    variant_view,
)

# -- the list ---------------------------------------------------------------------------------


@page_view
def content_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    units = readable_units(user)
    form = ItemFilterForm(
        request.GET or None,
        units=units,
        goals=selectors.list_goals(user=user, include_archived=True).order_by("deadline"),
        topics=selectors.list_topics(user=user, include_archived=True),
        accounts=readable_accounts(user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    backup = {"yes": True, "no": False}.get(filters.get("backup") or "")
    items = selectors.list_items(
        user=user,
        q=filters.get("q") or None,
        unit=filters.get("unit"),
        goal=filters.get("goal"),
        topic=filters.get("topic"),
        account=filters.get("account"),
        backup=backup,
        state=filters.get("state") or None,
    ).select_related("author")
    page = paginate(request, items)
    context = {
        "form": form,
        "page": page,
        "rows": item_rows(page.object_list),
        "query": query_without_page(request),
        "can_draft": can(user, Action.CONTENT_DRAFT),
        "filtered": any(v not in (None, "") for v in filters.values()),
    }
    return render(request, "web/content/list.html", context)


# -- the editor -------------------------------------------------------------------------------


def _accounts_by_id(ids: list[int]) -> dict[int, SocialAccount]:
    found = SocialAccount.objects.select_related("owning_unit").filter(pk__in=ids)
    return {a.pk: a for a in found}


def _posted_ids(request: HttpRequest, name: str) -> list[int]:
    ids = []
    for raw in request.POST.getlist(name):
        if raw.isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    return ids


def _status_of(
    form: VariantForm, saved: Variant | None, *, user: Any, unit: OrgUnit
) -> dict[str, Any]:
    """Problems, delivery plan and preview of what the form holds (else of the saved variant)."""
    variant, error = saved, ""
    if not form.is_bound and saved is None:  # just added: judge the empty variant
        try:
            variant = draft_variant(actor=user, owning_unit=unit, data={"account": form.account})
        except DomainError as exc:
            error = exc.message
    elif form.is_bound:
        if form.is_valid():
            try:
                variant = draft_variant(actor=user, owning_unit=unit, data=form.payload())
            except DomainError as exc:
                variant, error = None, exc.message
        else:
            variant = None
    if variant is None:
        return {"error": error or _("Correct the marked fields to see the preview.")}
    return variant_view(variant)


def _editor(request: HttpRequest, *, unit: OrgUnit, item: ContentItem | None) -> HttpResponse:
    user = request.user
    posted = request.method == "POST"
    op = request.POST.get("op", "save") if posted else ""
    saved = (
        {v.account_id: v for v in item.variants.select_related("account", "account__owning_unit")}
        if item
        else {}
    )
    allowed = draftable_accounts(user)
    allowed_ids = {a.pk for a in allowed}
    if posted:
        ids = _posted_ids(request, "variants")
    elif saved:
        ids = list(saved)
    else:
        first = request.GET.get("account", "")
        ids = [int(first)] if first.isdigit() and int(first) in allowed_ids else []
    if op == "add":
        chosen = request.POST.get("add_account", "")
        if chosen.isdigit() and int(chosen) in allowed_ids and int(chosen) not in ids:
            ids.append(int(chosen))
    elif op.startswith("remove-"):
        gone = op.removeprefix("remove-")
        ids = [i for i in ids if str(i) != gone]
    accounts = _accounts_by_id(ids)
    ids = [i for i in ids if i in accounts]

    goals = list(selectors.goals_for_unit(unit).select_related("owning_unit"))
    topics = list(selectors.topics_for_unit(unit))
    assets = usable_assets(user, unit)
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {
            "title": item.title,
            "goal": item.goal_id,
            "topic": item.topic_id,
            "format": item.format,
            "target_exposure": item.target_exposure,
            "target_interaction": item.target_interaction,
            "target_conversion": item.target_conversion,
            "backup_for": item.backup_for,
            "notes": item.notes,
            "base_revision": item.revision_number,
        }
    form = ItemForm(request.POST if posted else None, initial=initial, goals=goals, topics=topics)
    variant_forms = []
    for account_id in ids:
        account = accounts[account_id]
        in_post = posted and f"v{account_id}-present" in request.POST
        variant_forms.append(
            VariantForm(
                request.POST if in_post else None,
                account=account,
                assets=assets,
                initial=VariantForm.initial_for(saved[account_id]) if account_id in saved else {},
            )
        )
    status = 200
    conflict = ""
    if op == "save":
        status = 400
        valid = form.is_valid() & all([vf.is_valid() for vf in variant_forms])
        if valid:
            try:
                item = _save(user, unit, item, form, variant_forms)
            except Conflict as exc:
                conflict, status = exc.message, 409
            except (DomainError, PermissionDenied) as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(t)s” was saved as revision %(n)d.")
                    % {"t": item.title, "n": item.revision_number},
                )
                return redirect("web:content_detail", item_id=item.pk)
    variants = [
        {
            "form": vf,
            "account": vf.account,
            "saved": saved.get(vf.account.pk),
            "status": _status_of(vf, saved.get(vf.account.pk), user=user, unit=unit),
        }
        for vf in variant_forms
    ]
    context = {
        "item": item,
        "unit": unit,
        "form": form,
        "variants": variants,
        "addable": [a for a in allowed if a.pk not in ids],
        "conflict": conflict,
        "asset_images": [a for a in assets if a.kind == "image"],
        "asset_url_template": asset_url_template(),
        "draft_units": unit_choices(draft_units(user)) if item is None else [],
        "copy_form": _copy_form(item, allowed) if item is not None else None,
        "op": op,
    }
    return render(request, "web/content/edit.html", context, status=status)


def _save(
    user: Any,
    unit: OrgUnit,
    item: ContentItem | None,
    form: ItemForm,
    variant_forms: list[VariantForm],
) -> ContentItem:
    data = form.cleaned_data
    variants = [vf.payload() for vf in variant_forms]
    if item is None:
        return services.create_item(
            actor=user,
            owning_unit=unit,
            title=data["title"],
            variants=variants,
            goal=data["goal"],
            topic=data.get("topic"),
            format=data["format"],
            notes=data.get("notes", ""),
            backup_for=data.get("backup_for", ""),
            **form.targets(),
        )
    base = data.get("base_revision")
    if base is None:
        raise Conflict(_("The form does not say which revision it edits; reload the item."))
    with transaction.atomic():
        updated = services.update_item(
            actor=user,
            item=item,
            base_revision=base,
            title=data["title"],
            goal=data["goal"],
            topic=data.get("topic"),
            format=data["format"],
            notes=data.get("notes", ""),
            targets=form.targets(),
            variants=variants,
        )
        backup_for = (data.get("backup_for") or "").strip()
        if backup_for != updated.backup_for:
            services.set_backup(actor=user, item=updated, backup_for=backup_for or None)
    updated.refresh_from_db()
    return updated


def _copy_form(item: ContentItem, allowed: list[SocialAccount]) -> CopyVariantForm | None:
    sources = list(item.variants.select_related("account"))
    if not sources:
        return None
    return CopyVariantForm(
        sources=sources,
        accounts=allowed,
        initial={"base_revision": item.revision_number},
    )


def _new_item_unit(request: HttpRequest) -> OrgUnit:
    user = request.user
    units = draft_units(user)
    raw = request.POST.get("unit") or request.GET.get("unit") or ""
    if raw.isdigit():
        unit = next((u for u in units if u.pk == int(raw)), None)
        if unit is None:
            raise PermissionDenied(_("You may not draft content for this unit."))
        return unit
    own = next((u for u in units if u.pk == user.org_unit_id), None)
    if own is not None:
        return own
    if not units:
        raise PermissionDenied(_("You are not allowed to draft content."))
    return units[0]


@page_view
def content_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CONTENT_DRAFT)
    return _editor(request, unit=_new_item_unit(request), item=None)


@page_view
def content_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.get_item(user=request.user, item_id=item_id)
    require(request.user, Action.CONTENT_DRAFT, item)
    return _editor(request, unit=item.owning_unit, item=item)


@require_POST
@page_view
def content_preview(request: HttpRequest) -> HttpResponse:
    """One variant's problems, delivery plan and preview from the editor's unsaved fields
    (htmx swaps it into the variant's card)."""
    user = request.user
    raw_unit, raw_account = request.POST.get("unit", ""), request.POST.get("preview_account", "")
    unit = OrgUnit.objects.filter(pk=int(raw_unit)).first() if raw_unit.isdigit() else None
    account = (
        SocialAccount.objects.select_related("owning_unit").filter(pk=int(raw_account)).first()
        if raw_account.isdigit()
        else None
    )
    if unit is None or account is None:
        raise NotFound(_("Nothing to preview."))
    require(user, Action.CONTENT_DRAFT, unit)
    form = VariantForm(request.POST, account=account, assets=usable_assets(user, unit))
    context = {
        "v": {
            "account": account,
            "status": _status_of(form, None, user=user, unit=unit),
        }
    }
    return render(request, "web/content/_variant_status.html", context)


@require_POST
@page_view
def content_copy_variant(request: HttpRequest, item_id: int) -> HttpResponse:
    """Copy one variant to another account, on purpose (CNT-3: never a blind sync)."""
    user = request.user
    item = selectors.get_item(user=user, item_id=item_id)
    require(user, Action.CONTENT_DRAFT, item)
    allowed = draftable_accounts(user)
    form = CopyVariantForm(
        request.POST, sources=item.variants.select_related("account"), accounts=allowed
    )
    edit_url = reverse("web:content_edit", kwargs={"item_id": item.pk})
    if not form.is_valid():
        messages.error(request, _("Choose the variant to copy and the account to copy it to."))
        return redirect(f"{edit_url}#copy")
    data = form.cleaned_data
    source = item.variants.get(pk=data["source"])
    account = next(a for a in allowed if a.pk == data["account"])
    try:
        services.copy_variant(
            actor=user,
            item=item,
            source=source,
            account=account,
            base_revision=data["base_revision"],
            replace=data["replace"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{edit_url}#copy")
    messages.success(
        request,
        _("The variant of %(src)s was copied to %(dst)s; adapt it to the platform.")
        % {"src": source.account.name, "dst": account.name},
    )
    return redirect(f"{edit_url}#variant-{account.pk}")


# -- one item ---------------------------------------------------------------------------------


def _blocked_view(exc: DomainError, item: ContentItem) -> dict[str, Any] | None:
    """The blocking findings a refused submission named, placed in the text (not yet stored)."""
    if exc.code != "blocking_findings":
        return None
    findings = list(exc.fields.get("findings") or [])
    revision = item.revisions.get(number=item.revision_number)
    return findings_view(findings, revision.snapshot, item.owning_unit)


@page_view
def content_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request.user
    item = selectors.get_item(user=user, item_id=item_id)
    may_draft = can(user, Action.CONTENT_DRAFT, item)
    submit_form = SubmitForm(request.POST if request.method == "POST" else None)
    status_code = 200
    submit_error, blocked = "", None
    if request.method == "POST":
        require(user, Action.CONTENT_DRAFT, item)
        status_code = 400
        if submit_form.is_valid():
            try:
                services.submit_for_review(
                    actor=user,
                    item=item,
                    override_request=submit_form.cleaned_data["override_request"],
                )
            except PermissionDenied:
                raise
            except DomainError as exc:
                submit_error = exc.message
                blocked = _blocked_view(exc, item)
                status_code = 409 if isinstance(exc, Conflict) else 400
            else:
                messages.success(request, _("Submitted for review."))
                return redirect("web:content_detail", item_id=item.pk)
    status = selectors.item_status(item)
    latest = status.round
    findings = (
        findings_view(list(latest.findings), latest.revision.snapshot, item.owning_unit)
        if latest is not None and latest.findings
        else None
    )
    variants = variant_cards(item)
    can_submit = may_draft and status.state in (
        selectors.ItemState.DRAFT,
        selectors.ItemState.CHANGES_REQUESTED,
        selectors.ItemState.REJECTED,
    )
    context = {
        "item": item,
        "status": status,
        "badge": state_badge(status.state),
        "round": latest,
        "returned": latest
        if latest is not None
        and latest.status in (ReviewStatus.CHANGES_REQUESTED, ReviewStatus.REJECTED)
        else None,
        "returned_by": latest.decisions.select_related("reviewer", "stage").last()
        if latest is not None and latest.status != ReviewStatus.IN_PROGRESS
        else None,
        "may_review": latest is not None
        and latest.status == ReviewStatus.IN_PROGRESS
        and services.may_review(user, latest.stage, item),
        "findings": findings,
        "variants": variants,
        "timeline": timeline_view(item),
        "may_draft": may_draft,
        "may_schedule": status.state == selectors.ItemState.APPROVED
        and status.approved_matches
        and can(user, Action.CONTENT_PUBLISH, item),
        "can_submit": can_submit,
        "submit_form": submit_form,
        "submit_error": submit_error,
        "blocked": blocked,
        "ask_override": blocked is not None or bool(submit_form["override_request"].value()),
    }
    return render(request, "web/content/detail.html", context, status=status_code)
