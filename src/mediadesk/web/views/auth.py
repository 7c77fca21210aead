"""Log-in, log-out and changing one's own password."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from mediadesk.core.errors import DomainError
from mediadesk.orgs import services
from mediadesk.web.forms import ChangeOwnPasswordForm, LoginForm
from mediadesk.web.views.common import form_error, page_view, safe_next


def _locked_message(request: HttpRequest) -> str | None:
    """The lock-out message when the back end refused because the account is locked."""
    locked_until = getattr(request, "mediadesk_locked_until", None)
    if locked_until is None:
        return None
    minutes = max(1, math.ceil((locked_until - timezone.now()).total_seconds() / 60))
    return ngettext(
        "This account is locked. Try again in %(n)d minute.",
        "This account is locked. Try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(
        request, request.POST.get("next") or request.GET.get("next"), reverse("web:dashboard")
    )
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is not None:
            login(request, user)
            return redirect(next_url)
        form.add_error(None, _locked_message(request) or _("Wrong username or password."))
    return render(request, "web/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_logout(person=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("web:login")


@sensitive_post_parameters("old_password", "password", "password2")
@page_view
def change_password(request: HttpRequest) -> HttpResponse:
    form = ChangeOwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("web:dashboard")
    return render(
        request,
        "web/change_password.html",
        {"form": form, "password_rules": password_validators_help_texts()},
    )
