"""A suggested item code now goes into the line's product, marked by `suggestion_source` until a person confirms it.

Existing suggestions move into `product` where the line has none; a line whose product a person already set keeps
it and loses any stale suggestion mark.
"""

from django.db import migrations, models


def move_suggestions_into_product(apps, schema_editor):
    PriceLine = apps.get_model("transports", "PriceLine")
    # A product set by a person (or the TMS) wins: a stale suggestion beside it is dropped, not applied.
    PriceLine.objects.filter(product__isnull=False).exclude(suggestion_source="").update(suggestion_source="")
    PriceLine.objects.filter(product__isnull=True, suggested_product__isnull=True).exclude(
        suggestion_source=""
    ).update(suggestion_source="")
    # Invoiced transports are frozen (their invoice says what was charged): only open lines take their suggestion.
    PriceLine.objects.filter(
        product__isnull=True, suggested_product__isnull=False, transport__invoicing_status="not_invoiced"
    ).update(product=models.F("suggested_product"))
    PriceLine.objects.filter(product__isnull=True).exclude(suggestion_source="").update(suggestion_source="")


def move_product_back_into_suggestion(apps, schema_editor):
    PriceLine = apps.get_model("transports", "PriceLine")
    PriceLine.objects.exclude(suggestion_source="").update(suggested_product=models.F("product"), product=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("transports", "0002_price_line_suggestions_fuel"),
    ]

    operations = [
        migrations.RunPython(move_suggestions_into_product, move_product_back_into_suggestion),
        migrations.RemoveField(model_name="priceline", name="suggested_product"),
        migrations.AddConstraint(
            model_name="priceline",
            constraint=models.CheckConstraint(
                condition=models.Q(suggestion_source="") | models.Q(product__isnull=False),
                name="price_line_suggestion_has_product",
            ),
        ),
    ]
