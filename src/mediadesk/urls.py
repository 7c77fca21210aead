from django.urls import include, path

from mediadesk.api import api
from mediadesk.jobs.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("callbacks/", include("mediadesk.platforms.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("mediadesk.web.urls")),
]
