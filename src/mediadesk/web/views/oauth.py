"""Where Weibo and Douyin send the browser back after the account owner authorised the app:
``/oauth/<platform>/callback/?code=…&state=…`` (``platforms.oauth``).

The person must be logged in as whoever started the connection (a login in between keeps the
query). A link that cannot be trusted (unknown, expired or used state) gets an error page and
changes nothing; a refusal by the platform or a failed exchange goes back to the account page
with the reason; success goes there with the token's expiry.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mediadesk.core.errors import NotFound
from mediadesk.platforms.oauth import OAUTH_PLATFORMS, AuthorizationRefused, complete_authorization
from mediadesk.web.views.common import page_view

ANCHOR = "#platform-auth"


@never_cache
@require_GET
@page_view
def oauth_callback(request: HttpRequest, platform: str) -> HttpResponse:
    if platform not in OAUTH_PLATFORMS:
        raise NotFound(_("There is no authorisation callback for this platform."))
    query = request.GET
    try:
        done = complete_authorization(
            actor=request.user,
            platform=platform,
            state=query.get("state", ""),
            code=query.get("code", ""),
            error=query.get("error", ""),
            error_description=query.get("error_description", ""),
        )
    except AuthorizationRefused as exc:
        if exc.account is None:
            context = {"status": 400, "message": exc.message}
            return render(request, "web/error.html", context, status=400)
        messages.error(request, exc.message)
        return redirect(reverse("web:account_detail", args=[exc.account.pk]) + ANCHOR)
    until = done.refresh_expires_at or done.expires_at
    message = _("%(a)s is connected to %(p)s.") % {
        "a": done.account.name,
        "p": done.account.get_platform_display(),
    }
    if until is not None:
        message += " " + _("The authorisation lasts until %(t)s.") % {
            "t": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
        }
    messages.success(request, message)
    return redirect(reverse("web:account_detail", args=[done.account.pk]) + ANCHOR)
