from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FuelConfig(AppConfig):
    name = "haulbill.fuel"
    label = "fuel"
    verbose_name = _("Fuel surcharge")

    def ready(self) -> None:
        from haulbill.invoicing import preflight

        from . import signals  # noqa: F401  (a price change recomputes the surcharge)
        from .preflight import check_fuel_indices

        # The engine's pre-flight runs the checks other apps register (a missing index month blocks).
        preflight.register_check(check_fuel_indices)
