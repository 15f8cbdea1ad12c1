"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

BULK_BATCH = 1000


def insert_one_row_per_id(
    model: type[models.Model], id_field: str, ids: Sequence[int], values: dict[str, Any]
) -> None:
    """One row of `model` for each id in `ids` (put in `id_field`), with the same `values` in the other
    columns: a message to 2,000 guardians, its 2,000 timeline entries.

    On PostgreSQL the ids travel as one array in one INSERT … SELECT: building thousands of model instances
    would cost more than the insert itself. Elsewhere, bulk_create."""
    if not ids:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**values, **{id_field: pk}) for pk in ids], batch_size=BULK_BATCH
        )
        return
    meta = model._meta
    fields = [_column_field(model, name) for name in values]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(field)) for field in [*fields, _column_field(model, id_field)])
    placeholders = ", ".join("%s" for _ in fields)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (names from our own models)
            f"SELECT {placeholders}, id FROM unnest(%s::bigint[]) AS id",
            [*params, list(ids)],
        )


def _column_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name  # a column of the table, not a reverse relation
    return field


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None, field.name
    return field.column
