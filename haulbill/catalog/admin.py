from django.contrib import admin

from .models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "item_code",
        "name",
        "company",
        "unit",
        "unit_price",
        "vat_rate",
        "vat_level",
        "is_active",
        "last_synced_at",
    ]
    list_filter = ["company", "provider", "vat_level", "is_active", "unit"]
    search_fields = ["item_code", "name", "provider_product_id"]
