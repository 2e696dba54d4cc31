from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "haulbill.api"
    label = "api"
    verbose_name = "Haulbill API"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the periodic purge of expired idempotency keys)
