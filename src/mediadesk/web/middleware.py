"""The interface language: Simplified Chinese unless the person chose English.

Django's ``LocaleMiddleware`` would follow the browser's ``Accept-Language``; this product's
default is zh-Hans whatever the browser says (requirements: primary language Simplified Chinese),
and the language switch in the top bar (Django's ``set_language``, a cookie) is the only way to
change it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else ""
        except LookupError:
            language = ""
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
