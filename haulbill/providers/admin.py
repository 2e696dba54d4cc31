from django.contrib import admin

from .models import ProviderConnection


@admin.register(ProviderConnection)
class ProviderConnectionAdmin(admin.ModelAdmin):
    list_display = ["company", "provider", "environment", "party_id", "masked_key", "is_active", "connected_at"]
    list_filter = ["provider", "environment", "is_active"]
    search_fields = ["company__legal_name", "party_id", "party_name"]
    readonly_fields = ["masked_key", "connected_at", "disconnected_at"]
    exclude = ["api_key_encrypted", "webhook_secret_encrypted"]
