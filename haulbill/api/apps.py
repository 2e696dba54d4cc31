from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "haulbill.api"
    label = "api"
    verbose_name = "Haulbill API"
