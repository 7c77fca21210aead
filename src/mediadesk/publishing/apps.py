from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "mediadesk.publishing"
    label = "publishing"
    verbose_name = "Calendar and publishing"
