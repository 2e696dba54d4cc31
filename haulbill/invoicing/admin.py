from django.contrib import admin

from .models import Invoice, InvoicingRun, InvoicingSettings, NumberSequence


@admin.register(InvoicingSettings)
class InvoicingSettingsAdmin(admin.ModelAdmin):
    list_display = ["company", "extension_enabled", "provider", "default_payment_delay_days", "number_format"]
    list_filter = ["extension_enabled", "provider"]
    search_fields = ["company__legal_name"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Read-only: invoices change only through the engine's services (a finalised one never)."""

    list_display = ["number", "kind", "status", "company", "customer", "issue_date", "total_incl", "push_state"]
    list_filter = ["kind", "status", "push_state"]
    search_fields = ["number", "customer__name", "company__legal_name"]
    exclude = ["pdf"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(InvoicingRun)
class InvoicingRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "company", "status", "created_at", "transports_count", "finalised_count", "blocked_count"]
    list_filter = ["status"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["company", "kind", "year", "next_value"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
