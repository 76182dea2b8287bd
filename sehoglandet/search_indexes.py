"""Indexes for the search box's name prefixes, for the migrations that add them.

`first_name__istartswith` is asked on PostgreSQL as `UPPER(first_name::text) LIKE 'ANNA%'`: an index
on that expression with text_pattern_ops answers the prefix, where a plain index cannot and the
search reads every row the user may see (0.4 s at national scale, bench/README.md#national-scale).
PostgreSQL only: SQLite has no operator classes, and the small databases it serves need none.
"""

from django.db import migrations


def name_prefix_indexes(table: str, indexes: dict[str, str]) -> migrations.RunPython:
    """A migration operation that adds `{index name: column}` to `table` on PostgreSQL."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name, column in indexes.items():
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS {name} ON {table} (UPPER("{column}"::text) text_pattern_ops)'
                )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name in indexes:
                schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
