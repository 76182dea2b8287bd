"""On PostgreSQL, refuse UPDATE and DELETE of access-log rows in the database itself.

The model refuses them too (on every database); this guards against raw SQL and other clients.
SQLite has no such trigger: Django's test flush deletes rows with DELETE there.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION sehoglandet_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sehoglandet_accesslog_no_update_or_delete
    BEFORE UPDATE OR DELETE ON sehoglandet_accesslog
    FOR EACH ROW EXECUTE FUNCTION sehoglandet_accesslog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS sehoglandet_accesslog_no_update_or_delete ON sehoglandet_accesslog;
DROP FUNCTION IF EXISTS sehoglandet_accesslog_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("sehoglandet", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
