"""The account matrix: the units × platforms grid, the list, Excel in and out, one account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from mediadesk.accounts import credentials, selectors, services, spreadsheets
from mediadesk.accounts.conformity import check_account, standards_for
from mediadesk.accounts.models import AccountStatus, Credential, SocialAccount
from mediadesk.core.errors import DomainError, NotFound, PermissionDenied
from mediadesk.orgs import selectors as org_selectors
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.orgs.services import mask_phone
from mediadesk.platforms import oauth
from mediadesk.platforms.bindings import binding_of
from mediadesk.web.account_forms import (
    AccountEditForm,
    AccountFilterForm,
    AvatarForm,
    ChangeRequestForm,
    CompleteFilingForm,
    CredentialRotateForm,
    CredentialStoreForm,
    LinkForm,
    MatrixFilterForm,
    NameExceptionForm,
    RevealForm,
    StatusFilingForm,
    TeamForm,
    UploadForm,
)
from mediadesk.web.account_labels import FLAG_HINTS, FLAG_LABELS
from mediadesk.web.views.common import (
    form_error,
    page_view,
    paginate,
    query_without_page,
    unit_trails,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEGEND_STATUSES = [
    AccountStatus.APPLYING,
    AccountStatus.ACTIVE,
    AccountStatus.STOPPED,
    AccountStatus.SUSPENDED,
]
IMAGE_TYPES = [
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
]


def form_messages(form: Any) -> list[str]:
    """Every error of a form as text, for a form the page does not show at the moment."""
    return [str(e) for errors in form.errors.values() for e in errors]


def _units_where(user: Any, action: Action) -> list[Any]:
    if not can(user, Action.ORG_VIEW):
        return []
    return [u for u in org_selectors.unit_tree(user=user) if can(user, action, u)]


def _people(user: Any) -> list[Any] | None:
    """Active people this person may see, for person selects; None when they may see nobody."""
    if not can(user, Action.PERSON_VIEW):
        return None
    return list(org_selectors.list_people(user=user, active=True))


def image_response(data: Any) -> HttpResponse:
    data = bytes(data or b"")
    if not data:
        raise NotFound(_("There is no image."))
    content_type = next((t for magic, t in IMAGE_TYPES if data.startswith(magic)), None)
    if content_type is None:
        raise NotFound(_("There is no image."))
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- the matrix --------------------------------------------------------------------------------


@page_view
def matrix(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.ACCOUNT_VIEW)
    form = MatrixFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    data = selectors.matrix(user=user)

    def keep(account: SocialAccount) -> bool:
        return all(
            not filters.get(name) or getattr(account, name) == filters[name]
            for name in ("platform", "status", "matrix_role")
        )

    everything = [
        pair for unit in data["units"] for cell in data["rows"][unit.pk].values() for pair in cell
    ]
    shown = {
        unit.pk: {
            platform: [(a, h) for a, h in cell if keep(a)]
            for platform, cell in data["rows"][unit.pk].items()
        }
        for unit in data["units"]
    }
    platforms = [p for p in data["platforms"] if any(cells.get(p) for cells in shown.values())]
    trails = unit_trails(data["units"])
    rows = [
        {
            "unit": unit,
            "trail": trails.get(unit.pk, unit.name),
            "cells": [shown[unit.pk].get(p, []) for p in platforms],
            "count": sum(len(c) for c in shown[unit.pk].values()),
            "can_open": can(user, Action.ORG_VIEW, unit),
        }
        for unit in data["units"]
    ]
    rows = [r for r in rows if r["count"]]
    flag_counts = {flag: sum(1 for _a, h in everything if flag in h.flags) for flag in FLAG_LABELS}
    stats = {
        "total": len(everything),
        "active": sum(1 for a, _h in everything if a.status == AccountStatus.ACTIVE),
        "applying": sum(1 for a, _h in everything if a.status == AccountStatus.APPLYING),
        "healthy": sum(1 for _a, h in everything if not h.flags),
        "nonconforming": flag_counts["nonconforming"],
        "verification": flag_counts["verification_expiring"] + flag_counts["verification_lapsed"],
        "overdue": flag_counts["filing_overdue"],
    }
    context = {
        "form": form,
        "platforms": platforms,
        "rows": rows,
        "legend": [
            {"flag": f, "label": FLAG_LABELS[f], "hint": FLAG_HINTS[f], "count": flag_counts[f]}
            for f in FLAG_LABELS
        ],
        "stats": stats,
        "links": list(selectors.visible_links(user=user)),
        "filtered": any(filters.values()),
        "can_apply": can(user, Action.ACCOUNT_APPLY),
        "can_import": can(user, Action.ACCOUNT_MANAGE),
        "export_filters": [(k, v) for k, v in filters.items() if v],
        "legend_statuses": LEGEND_STATUSES,
    }
    return render(request, "web/accounts/matrix.html", context)


# --- the list, export, import ------------------------------------------------------------------


def _list_filters(request: HttpRequest, data: Any) -> tuple[AccountFilterForm, dict[str, Any]]:
    user = request.user
    tree = org_selectors.unit_tree(user=user) if can(user, Action.ORG_VIEW) else []
    form = AccountFilterForm(data or None, units=tree)
    filters = form.cleaned_data if form.is_valid() else {}
    unit = filters.get("unit")
    return form, {
        "platform": filters.get("platform") or None,
        "status": filters.get("status") or None,
        "matrix_role": filters.get("matrix_role") or None,
        "q": filters.get("q") or None,
        "unit": unit.pk if unit else None,
    }


@page_view
def account_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.ACCOUNT_VIEW)
    form, filters = _list_filters(request, request.GET)
    accounts = selectors.list_accounts(user=user, **filters)
    page = paginate(request, accounts)
    today = timezone.localdate()
    rows = [
        {
            "account": a,
            "days_left": (a.verification_expires_on - today).days
            if a.verification_expires_on
            else None,
        }
        for a in page.object_list
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "export_filters": [(k, v) for k, v in request.GET.items() if k != "page" and v],
        "can_apply": can(user, Action.ACCOUNT_APPLY),
        "can_import": can(user, Action.ACCOUNT_MANAGE),
        "warning_days": selectors.VERIFICATION_WARNING_DAYS,
    }
    return render(request, "web/accounts/list.html", context)


@require_POST
@page_view
def account_export(request: HttpRequest) -> HttpResponse:
    """The accounts matching the list's filters as an Excel workbook (phones masked)."""
    user = request.user
    require(user, Action.ACCOUNT_VIEW)
    _form, filters = _list_filters(request, request.POST)
    accounts = selectors.list_accounts(user=user, **filters)
    content = spreadsheets.export_for(actor=user, accounts=accounts)
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="accounts-{stamp}.xlsx"'
    return response


@page_view
def account_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.ACCOUNT_MANAGE)
    form = UploadForm(request.POST or None, request.FILES or None, accept=".xlsx")
    row_errors: list[Any] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = spreadsheets.import_accounts(
                    actor=user, content=form.cleaned_data["file"].read()
                )
            except spreadsheets.ImportRejected as exc:
                row_errors = exc.errors
                form.add_error(
                    None,
                    _("%(n)d row(s) are wrong. Nothing was imported; correct the file and retry.")
                    % {"n": len(exc.errors)},
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request, _("%(n)d account(s) were imported.") % {"n": len(created)}
                )
                return redirect("web:account_list")
    context = {
        "form": form,
        "row_errors": row_errors,
        "columns": spreadsheets.COLUMNS,
        "required": spreadsheets.REQUIRED,
    }
    return render(request, "web/accounts/import.html", context, status=status)


@page_view
def import_template(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.ACCOUNT_MANAGE)
    response = HttpResponse(spreadsheets.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="accounts-template.xlsx"'
    return response


# --- one account -------------------------------------------------------------------------------


class _Done(Exception):
    """An operation succeeded: show ``message`` and go to ``anchor``."""

    def __init__(self, message: str, anchor: str = "", url: str = "", *, error: bool = False):
        super().__init__(message)
        self.message, self.anchor, self.url, self.error = message, anchor, url, error


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@sensitive_post_parameters("value", "rotate-value")
@page_view
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    user = request.user
    account = selectors.get_account(user=user, account_id=account_id)
    perms = {
        "manage": can(user, Action.ACCOUNT_MANAGE, account),
        "apply": can(user, Action.ACCOUNT_APPLY, account),
        "approve": can(user, Action.ACCOUNT_APPROVE, account),
        "file": can(user, Action.ACCOUNT_FILE, account),
        "grant": can(user, Action.ROLE_GRANT, account),
        "credentials": can(user, Action.CREDENTIAL_MANAGE, account),
        "reveal": can(user, Action.CREDENTIAL_REVEAL, account),
        "audit": can(user, Action.AUDIT_VIEW),
    }
    op = request.POST.get("op", "") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    people = _people(user) if perms["manage"] or perms["grant"] else None

    def bound(name: str) -> Any:
        return post if op == name else None

    edit_form = AccountEditForm(
        bound("edit"),
        people=people,
        wechat=account.is_wechat,
        phone_hint=_("Now: %(p)s") % {"p": mask_phone(account.bound_phone)}
        if account.bound_phone
        else "",
        initial={
            "platform_account_id": account.platform_account_id,
            "matrix_role": account.matrix_role,
            "target_posts_per_week": account.target_posts_per_week,
            "follower_count": account.follower_count,
            "verification_status": account.verification_status,
            "verification_expires_on": account.verification_expires_on,
            "admin_wechat_id": account.admin_wechat_id,
            "responsible_person": account.responsible_person_id,
            "bio": account.bio,
            "wechat_menu": _menu_json(account.wechat_menu),
        },
    )
    change_form = ChangeRequestForm(
        bound("change"),
        initial={
            "name": account.name,
            "function_positioning": account.function_positioning,
            "content_positioning": account.content_positioning,
        },
    )
    avatar_form = AvatarForm(bound("avatar"), files if op == "avatar" else None)
    exception_form = NameExceptionForm(
        bound("exception"), initial={"reason": account.name_exception}
    )
    team_form = TeamForm(bound("team_add"), people=people or [])
    filing_form = StatusFilingForm(bound("file"))
    link_candidates = (
        list(selectors.visible_accounts(user).exclude(pk=account.pk)) if perms["manage"] else []
    )
    link_form = LinkForm(bound("link"), accounts=link_candidates)
    store_form = CredentialStoreForm(bound("cred_store"))
    rotate_form = CredentialRotateForm(bound("cred_rotate"), prefix="rotate")
    reveal_form = RevealForm(bound("cred_reveal"), prefix="reveal")
    revealed = None

    try:
        if op == "edit" and edit_form.is_valid():
            _edit(request, account, edit_form)
        elif op == "change" and change_form.is_valid():
            _request_change(request, account, change_form)
        elif op == "avatar" and avatar_form.is_valid():
            _avatar(request, account, avatar_form)
        elif op == "exception" and exception_form.is_valid():
            _exception(request, account, exception_form)
        elif op == "team_add" and team_form.is_valid():
            _team_add(request, account, team_form)
        elif op == "team_remove":
            _team_remove(request, account)
        elif op == "file" and filing_form.is_valid():
            _file(request, account, filing_form)
        elif op == "link" and link_form.is_valid():
            _link(request, account, link_form)
        elif op == "unlink":
            _unlink(request, account)
        elif op == "cred_store" and store_form.is_valid():
            _store(request, account, store_form)
        elif op == "cred_rotate" and rotate_form.is_valid():
            _rotate(request, account, rotate_form)
        elif op == "cred_reveal" and reveal_form.is_valid():
            credential = _credential_of(request, account)
            value = credentials.reveal_credential(
                actor=user, credential=credential, purpose=reveal_form.cleaned_data["purpose"]
            )
            revealed = {"credential": credential, "value": value}
    except _Done as done:
        (messages.error if done.error else messages.success)(request, done.message)
        target = done.url or reverse("web:account_detail", args=[account.pk])
        return redirect(f"{target}#{done.anchor}" if done.anchor else target)

    account = selectors.get_account(user=user, account_id=account.pk)
    context = _detail_context(request, account, perms)
    live = context["live"]
    shown = {  # which forms the page shows now; a refusal of a hidden one is shown on top
        "edit": perms["manage"],
        "change": perms["apply"]
        and account.status != AccountStatus.CLOSED
        and not context["in_progress"],
        "avatar": perms["manage"],
        "exception": perms["approve"],
        "team_add": perms["grant"] and people is not None and live,
        "file": perms["file"] and live,
        "link": perms["manage"],
        "cred_store": perms["credentials"],
        "cred_rotate": perms["credentials"],
        "cred_reveal": perms["credentials"] and perms["reveal"],
    }
    forms_by_op = {
        "edit": edit_form,
        "change": change_form,
        "avatar": avatar_form,
        "exception": exception_form,
        "team_add": team_form,
        "file": filing_form,
        "link": link_form,
        "cred_store": store_form,
        "cred_rotate": rotate_form,
        "cred_reveal": reveal_form,
    }
    failed = forms_by_op.get(op)
    if failed is not None and failed.errors and not shown.get(op):
        context["page_errors"] = form_messages(failed)
    context.update(
        {
            "op": op,
            "edit_form": edit_form,
            "change_form": change_form,
            "avatar_form": avatar_form,
            "exception_form": exception_form,
            "team_form": team_form,
            "filing_form": filing_form,
            "link_form": link_form,
            "store_form": store_form,
            "rotate_form": rotate_form,
            "reveal_form": reveal_form,
            "revealed": revealed,
            "posted_credential": _posted_id(request, "credential") if op.startswith("cred_") else 0,
            "can_add_team": shown["team_add"],
        }
    )
    status = 200 if not op or revealed else 400
    response = render(request, "web/accounts/detail.html", context, status=status)
    if revealed:
        add_never_cache_headers(response)  # the value must not linger in any cache
    return response


def _menu_json(menu: Any) -> str:
    import json

    return json.dumps(menu, ensure_ascii=False, indent=2) if menu else ""


def _detail_context(
    request: HttpRequest, account: SocialAccount, perms: dict[str, bool]
) -> dict[str, Any]:
    user = request.user
    live = account.status not in (AccountStatus.CLOSED, AccountStatus.APPLYING)
    standards = standards_for(account.owning_unit)
    deviations = check_account(account, standards)
    filings = list(selectors.list_filings(user=user, account=account.pk))
    overdue = sum(1 for f in filings if f.status == "due" and selectors.is_late(f))
    health = selectors.account_health(account, deviations, overdue, timezone.localdate())
    applications = account.applications.select_related("applicant", "decided_by").order_by(
        "-created_at"
    )
    creds = (
        list(selectors.account_credentials(user=user, account=account))
        if perms["credentials"]
        else []
    )
    for credential in creds:
        credential.open_tasks = [t for t in credential.rotation_tasks.all() if not t.done_at]
    links = list(selectors.visible_links(user=user, account=account))
    in_progress = account.applications.filter(status__in=["submitted", "returned"]).first()
    return {
        "account": account,
        "trail": unit_trails([account.owning_unit]).get(account.owning_unit_id, ""),
        "perms": perms,
        "live": live,
        "standards": standards,
        "deviations": deviations,
        "health": health,
        "flag_labels": FLAG_LABELS,
        "team": list(selectors.account_team(user=user, account=account)),
        "filings": [{"filing": f, "late": selectors.is_late(f)} for f in filings],
        "applications": applications,
        "in_progress": in_progress,
        "links_out": [link for link in links if link.source_id == account.pk],
        "links_in": [link for link in links if link.target_id == account.pk],
        "link_count": len(links),
        "credentials": creds,
        "logo_unit": _logo_unit(account),
        "platform_auth": _platform_auth(account) if perms["credentials"] else None,
    }


def _platform_auth(account: SocialAccount) -> dict[str, Any] | None:
    """The Weibo / Douyin authorisation the connectors act with (never the token)."""
    state = oauth.user_token_state(account)
    if state is None:
        return None
    binding = binding_of(account)
    return {**state, "configured": binding is not None and binding.enabled}


def _logo_unit(account: SocialAccount) -> Any:
    """The unit whose standard logo applies to the account (its own or the nearest above)."""
    from mediadesk.accounts.models import UnitProfile

    chain = list(reversed(account.owning_unit.ancestor_ids()))
    profiles = {
        p.unit_id: p
        for p in UnitProfile.objects.filter(unit_id__in=chain)
        .exclude(logo_hash="")
        .only("unit_id", "logo_hash")
    }
    return next((profiles[u] for u in chain if u in profiles), None)


def _edit(request: HttpRequest, account: SocialAccount, form: AccountEditForm) -> None:
    changes = form.changes(account)
    if not changes:
        raise _Done(_("Nothing was changed."), "registry")
    try:
        services.update_account(actor=request.user, account=account, **changes)
    except DomainError as exc:
        form_error(form, exc)
        return
    message = _("The account was saved.")
    if "responsible_person" in changes:
        message += " " + _(
            "The change of responsible person must be filed with HQ within 5 working days."
        )
    raise _Done(message, "registry")


def _request_change(request: HttpRequest, account: SocialAccount, form: ChangeRequestForm) -> None:
    data = form.cleaned_data
    try:
        application = services.request_change(
            actor=request.user,
            account=account,
            reason=data["reason"],
            name=data["name"],
            function_positioning=data["function_positioning"],
            content_positioning=data["content_positioning"],
        )
    except DomainError as exc:
        form_error(form, exc)
        return
    raise _Done(
        _("The change was submitted to HQ communications for approval."),
        url=reverse("web:application_detail", args=[application.pk]),
    )


def _avatar(request: HttpRequest, account: SocialAccount, form: AvatarForm) -> None:
    upload = form.cleaned_data["avatar"]
    if upload.size > services.MAX_IMAGE_BYTES:
        form.add_error("avatar", _("The image is larger than 2 MB."))
        return
    try:
        services.update_account(actor=request.user, account=account, avatar=upload.read())
    except DomainError as exc:
        form_error(form, exc)
        return
    raise _Done(_("The avatar was replaced."), "conformity")


def _exception(request: HttpRequest, account: SocialAccount, form: NameExceptionForm) -> None:
    reason = form.cleaned_data["reason"]
    try:
        services.set_name_exception(actor=request.user, account=account, reason=reason)
    except DomainError as exc:
        form_error(form, exc)
        return
    raise _Done(
        _("The naming exception was approved.")
        if reason
        else _("The naming exception was withdrawn."),
        "conformity",
    )


def _team_add(request: HttpRequest, account: SocialAccount, form: TeamForm) -> None:
    data = form.cleaned_data
    try:
        grant = services.grant_account_role(
            actor=request.user, person=data["person"], role=data["role"], account=account
        )
    except DomainError as exc:
        form_error(form, exc)
        return
    message = _("%(person)s joined the team as %(role)s.") % {
        "person": grant.user,
        "role": grant.get_role_display(),
    }
    if data["role"] == "operator":
        message += " " + _("The change of operator must be filed with HQ within 5 working days.")
    raise _Done(message, "team")


def _team_remove(request: HttpRequest, account: SocialAccount) -> None:
    grant = next(
        (
            g
            for g in selectors.account_team(user=request.user, account=account)
            if g.pk == _posted_id(request, "grant")
        ),
        None,
    )
    if grant is None:
        raise NotFound(_("That team member does not exist."))
    try:
        services.revoke_account_role(actor=request.user, assignment=grant)
    except DomainError as exc:
        raise _Done(exc.message, "team", error=True) from exc
    raise _Done(
        _("%(person)s is no longer %(role)s of this account.")
        % {"person": grant.user, "role": grant.get_role_display()},
        "team",
    )


def _file(request: HttpRequest, account: SocialAccount, form: StatusFilingForm) -> None:
    data = form.cleaned_data
    try:
        filing = services.file_status_change(
            actor=request.user,
            account=account,
            kind=data["kind"],
            reason=data["reason"],
            occurred_on=data["occurred_on"],
            details={"cause": data["cause"]} if data.get("cause") else None,
        )
    except DomainError as exc:
        form_error(form, exc)
        return
    raise _Done(
        _("Filed with HQ: %(kind)s.") % {"kind": filing.get_kind_display()},
        "filings",
    )


def _link(request: HttpRequest, account: SocialAccount, form: LinkForm) -> None:
    data = form.cleaned_data
    try:
        services.link_accounts(
            actor=request.user, source=account, target=data["target"], note=data["note"]
        )
    except DomainError as exc:
        form_error(form, exc)
        return
    raise _Done(_("The accounts are linked."), "links")


def _unlink(request: HttpRequest, account: SocialAccount) -> None:
    link = next(
        (
            link
            for link in selectors.visible_links(user=request.user, account=account)
            if link.pk == _posted_id(request, "link")
        ),
        None,
    )
    if link is None:
        raise NotFound(_("That link does not exist."))
    try:
        services.unlink_accounts(actor=request.user, link=link)
    except DomainError as exc:
        raise _Done(exc.message, "links", error=True) from exc
    raise _Done(_("The link was removed."), "links")


def _credential_of(request: HttpRequest, account: SocialAccount) -> Credential:
    credential = (
        Credential.objects.select_related("account__owning_unit")
        .filter(account=account, pk=_posted_id(request, "credential"))
        .first()
    )
    if credential is None:
        raise NotFound(_("That credential does not exist."))
    return credential


def _store(request: HttpRequest, account: SocialAccount, form: CredentialStoreForm) -> None:
    data = form.cleaned_data
    try:
        credentials.store_credential(
            actor=request.user,
            account=account,
            kind=data["kind"],
            value=data["value"],
            label=data["label"],
        )
    except DomainError as exc:
        form_error(form, exc)
        return
    raise _Done(_("The credential was stored, encrypted."), "credentials")


def _rotate(request: HttpRequest, account: SocialAccount, form: CredentialRotateForm) -> None:
    credential = _credential_of(request, account)
    data = form.cleaned_data
    try:
        credentials.rotate_credential(
            actor=request.user, credential=credential, value=data["value"], reason=data["reason"]
        )
    except DomainError as exc:
        form_error(form, exc)
        return
    raise _Done(_("%(c)s was rotated.") % {"c": credential}, "credentials")


@require_POST
@page_view
def account_connect(request: HttpRequest, account_id: int) -> HttpResponse:
    """Send the browser to Weibo or Douyin to authorise the app for this account."""
    account = selectors.get_account(user=request.user, account_id=account_id)
    try:
        url = oauth.start_authorization(actor=request.user, account=account, request=request)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("web:account_detail", args=[account.pk]) + "#platform-auth")
    return redirect(url)


@page_view
def account_avatar(request: HttpRequest, account_id: int) -> HttpResponse:
    account = selectors.get_account(user=request.user, account_id=account_id)
    return image_response(account.avatar)


@require_POST
@page_view
def filing_complete(request: HttpRequest, filing_id: int) -> HttpResponse:
    """Submit a due filing (change of responsible person or operator) from any list."""
    from mediadesk.accounts.models import Filing
    from mediadesk.web.views.common import safe_next

    filing = Filing.objects.select_related("account__owning_unit").filter(pk=filing_id).first()
    if filing is None:
        raise NotFound(_("That filing does not exist."))
    require(request.user, Action.ACCOUNT_VIEW, filing)
    default = reverse("web:account_detail", args=[filing.account_id]) + "#filings"
    target = safe_next(request, request.POST.get("next"), default)
    form = CompleteFilingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note for the filing before submitting it."))
        return redirect(target)
    try:
        services.complete_filing(
            actor=request.user, filing=filing, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Filed with HQ: %(kind)s — %(name)s.")
            % {"kind": filing.get_kind_display(), "name": filing.account.name},
        )
    return redirect(target)
