from django.apps import AppConfig
from django.core import checks


class JobsConfig(AppConfig):
    name = "mediadesk.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app declares its tasks in ``<app>/tasks.py``; importing them here fills the
        # registry in every process (web, embedded runner, Celery worker, beat) alike.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
        checks.register(check_backend)


def check_backend(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    from django.conf import settings

    backend = getattr(settings, "MEDIADESK_JOB_BACKEND", "embedded")
    if backend not in {"embedded", "celery"}:
        return [
            checks.Error(
                f"MEDIADESK_JOB_BACKEND must be 'embedded' or 'celery', not {backend!r}",
                id="jobs.E001",
            )
        ]
    return []
