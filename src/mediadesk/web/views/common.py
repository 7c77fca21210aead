"""Small helpers the web views share: access handling, domain errors on forms, pagination."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from mediadesk.core.errors import DomainError, NotFound, PermissionDenied
from mediadesk.orgs.models import OrgUnit, RoleAssignment

PAGE_SIZE = 25


def page_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required; a refusal by the permission service becomes a 403 page, a miss a 404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(
                request, "web/error.html", {"status": 403, "message": exc.message}, status=403
            )
        except NotFound as exc:
            return render(
                request, "web/error.html", {"status": 404, "message": exc.message}, status=404
            )

    return wrapper


def form_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error on the form: next to the named inputs, and the message on top."""
    shown = set()
    for name, problem in exc.fields.items():
        if name in form.fields:
            problems = problem if isinstance(problem, list | tuple) else [problem]
            for text in problems:
                form.add_error(name, str(text))
                shown.add(str(text))
    if exc.message not in shown and " ".join(shown) != exc.message:
        form.add_error(None, exc.message)


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    paginator = Paginator(items, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current query string without ``page``, for pagination links that keep the filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def unit_trails(units: Iterable[OrgUnit | None]) -> dict[int, str]:
    """``{unit id: "集团 / 事业部 / 部门"}`` for the given units, in one query for all ancestors."""
    units = [u for u in units if u is not None]
    ids = {i for u in units for i in u.ancestor_ids()}
    names = dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {u.pk: " / ".join(names.get(i, "?") for i in u.ancestor_ids()) or u.name for u in units}


def grant_scopes(grants: Iterable[RoleAssignment]) -> dict[int, str]:
    """``{grant id: where it applies}``: the unit's trail, or the single account it names."""
    grants = list(grants)
    trails = unit_trails(g.org_unit for g in grants if g.org_unit_id)
    return {
        g.pk: (
            _("Account: %(account)s") % {"account": g.account}
            if g.account_id
            else trails.get(g.org_unit_id, "")
        )
        for g in grants
    }
