"""Fixed-cost inserts for drafting: one executemany per table, whatever the number of rows.

The ORM's bulk_create splits its INSERTs by the backend's parameter limit (999 on SQLite: about 20 lines per
statement), so its query count grows with the run; it also builds a model instance and prepares every field of
every row, which costs seconds for 50,000 lines. Drafting writes plain rows instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

LINE_COLUMNS = (
    "company_id",
    "invoice_id",
    "position",
    "transport_id",
    "price_line_id",
    "product_id",
    "item_code",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "line_amount",
    "vat_category",
    "vat_rate",
    "vat_exemption_code",
    "vat_exemption_text",
    "credited_line_id",
)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT `rows` (already in database form) into `model`'s table in one executemany."""
    if not rows:
        return
    qn = connection.ops.quote_name
    # Identifiers come from the model's metadata (quoted); every value is a bound parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_objects(objs: Sequence[models.Model]) -> None:
    """INSERT model instances with every concrete field prepared as the ORM would (defaults, auto_now, JSON)."""
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    # Plain values (text, numbers, booleans, keys) go as they are; dates, times and JSON need the backend's form.
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
    prepare = [not isinstance(f, plain) or isinstance(f, models.BinaryField) for f in fields]
    rows = [
        tuple(
            f.get_db_prep_save(f.pre_save(obj, True), connection) if prep else f.pre_save(obj, True)
            for f, prep in zip(fields, prepare, strict=True)
        )
        for obj in objs
    ]
    insert_rows(model, [str(f.column) for f in fields], rows)
