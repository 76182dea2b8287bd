from django.db import migrations


def move_content_types(apps, schema_editor):
    """Keep the content types (and so permissions and admin log entries) of the moved models."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("person", "historicalperson"):
        if not content_type.objects.filter(app_label="sehoglandet", model=model).exists():
            content_type.objects.filter(app_label="participants", model=model).update(app_label="sehoglandet")


class Migration(migrations.Migration):
    """The Person's tables take the core's names, now that participants no longer holds the model."""

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("participants", "0007_person_moves_to_core"),
        ("sehoglandet", "0005_person_moves_to_core"),
    ]

    operations = [
        migrations.AlterModelTable(name="person", table=None),
        migrations.AlterModelTable(name="historicalperson", table=None),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
