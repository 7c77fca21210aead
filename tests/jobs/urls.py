"""Only ``/healthz``, so its tests do not depend on the rest of the site's URLs."""

from django.urls import path

from mediadesk.jobs.views import healthz

urlpatterns = [path("healthz", healthz, name="healthz")]
