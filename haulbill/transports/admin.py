from django.contrib import admin

from .models import PriceLine, Transport


class PriceLineInline(admin.TabularInline):
    model = PriceLine
    extra = 0
    raw_id_fields = ["product"]
    exclude = ["company"]


@admin.register(Transport)
class TransportAdmin(admin.ModelAdmin):
    list_display = ["reference", "company", "customer", "loading_date", "unloading_date", "status", "invoicing_status"]
    list_filter = ["company", "status", "invoicing_status", "unloading_date"]
    search_fields = ["reference", "customer__name", "loading_place", "unloading_place"]
    date_hierarchy = "unloading_date"
    raw_id_fields = ["customer"]
    list_select_related = ["customer", "company"]
    inlines = [PriceLineInline]
