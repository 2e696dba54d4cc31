from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haulbill.core"
    label = "core"
    verbose_name = "Haulbill core"
