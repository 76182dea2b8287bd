"""The search box finds a participant by the start of the person's first or last name
(`first_name__istartswith`, which PostgreSQL asks as `UPPER(first_name::text) LIKE 'ANNA%'`). An index on
that expression with text_pattern_ops answers the prefix; without it the search read every person
the user may see (0.4 s at national scale, bench/README.md#national-scale). PostgreSQL only: SQLite
has no operator classes, and the small databases it serves need none."""

from django.db import migrations

INDEXES = {
    "person_search_first_name": "first_name",
    "person_search_last_name": "last_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in INDEXES.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON sehoglandet_person (UPPER("{column}"::text) text_pattern_ops)'
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("sehoglandet", "0012_calendar_feed")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
