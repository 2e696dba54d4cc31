from django.contrib import admin

from .models import InvoicingSettings


@admin.register(InvoicingSettings)
class InvoicingSettingsAdmin(admin.ModelAdmin):
    list_display = ["company", "extension_enabled", "provider", "default_payment_delay_days", "number_format"]
    list_filter = ["extension_enabled", "provider"]
    search_fields = ["company__legal_name"]
