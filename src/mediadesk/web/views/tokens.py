"""Settings → personal API tokens: create (the raw value is shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from mediadesk.core.errors import DomainError
from mediadesk.orgs import selectors, services
from mediadesk.web.forms import TokenForm
from mediadesk.web.views.common import form_error, page_view


@page_view
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    op = request.POST.get("op") if request.method == "POST" else None
    form = TokenForm(request.POST if op == "create" else None)
    created = raw = None
    if op == "create" and form.is_valid():
        try:
            created, raw = services.create_api_token(
                actor=user, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            form = TokenForm()
    elif op == "revoke":
        token_id = request.POST.get("token", "")
        token = (
            selectors.list_api_tokens(user=user)
            .filter(pk=int(token_id) if token_id.isdigit() else 0)
            .first()
        )
        if token is None:
            messages.error(request, _("That token does not exist or was already revoked."))
        else:
            try:
                services.revoke_api_token(actor=user, token=token)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("The token %(name)s was revoked.") % {"name": token.name}
                )
        return redirect("web:tokens")
    context = {
        "form": form,
        "tokens": selectors.list_api_tokens(user=user),
        "created": created,
        "raw": raw,
    }
    status = 400 if op == "create" and raw is None else 200
    response = render(request, "web/settings/tokens.html", context, status=status)
    if raw:
        add_never_cache_headers(response)  # the raw token must not linger in any cache
    return response
