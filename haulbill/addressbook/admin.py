from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "vat_number", "city", "country", "vat_regime", "invoicing_id", "is_active"]
    list_filter = ["company", "country", "vat_regime", "is_active", ("invoicing_id", admin.EmptyFieldListFilter)]
    search_fields = ["name", "vat_number", "enterprise_number", "reference", "invoicing_id", "city"]
    list_select_related = ["company"]
