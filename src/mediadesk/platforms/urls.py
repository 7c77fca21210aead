"""Endpoints platforms call (no login: each request proves itself by its signature)."""

from django.urls import path

from mediadesk.platforms.callbacks import wechat_callback

app_name = "platforms"

urlpatterns = [
    path("wechat/<int:account_id>/", wechat_callback, name="wechat-callback"),
]
