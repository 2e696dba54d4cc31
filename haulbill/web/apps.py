from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "haulbill.web"
    label = "web"
    verbose_name = "Web pages"
