from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "haulbill.delivery"
    label = "delivery"
    verbose_name = _("Delivery to the invoicing platform")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the Huey tasks and the periodic sweeper and poller)
