"""Username/password log-in that honours the lock-out and records every attempt."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from mediadesk.orgs import services
from mediadesk.orgs.models import User


class LockoutAwareBackend(ModelBackend):
    """Like Django's ModelBackend, but refuses locked people and counts failures.

    When it refuses because of a lock, it sets ``request.mediadesk_locked_until`` so the log-in
    page can say so instead of showing the generic message.
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        person = User.objects.filter(username__iexact=username.strip()).first()
        if person is None:
            User().set_password(
                password
            )  # same work as a real check: no user enumeration by timing
            services.record_login_failure(person=None, username=username)
            return None
        locked_until = services.login_locked_until(person)
        if locked_until is not None:
            if request is not None:
                request.mediadesk_locked_until = locked_until
            return None
        if not person.check_password(password) or not self.user_can_authenticate(person):
            locked_until = services.record_login_failure(person=person, username=username)
            if locked_until is not None and request is not None:
                request.mediadesk_locked_until = locked_until
            return None
        services.record_login_success(person=person)
        return person
