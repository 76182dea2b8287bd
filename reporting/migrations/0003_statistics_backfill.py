"""Fill the anonymous statistical records from the enrolments and referrals that exist, with the same
code that keeps them in step (reporting.services.refresh_all_statistics), on the historical models."""

from django.db import migrations


def fill(apps, schema_editor):
    from reporting.services import refresh_all_statistics

    refresh_all_statistics(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_statistics_records"),
        ("participants", "0007_person_moves_to_core"),
        ("referrals", "0004_referral_keeps_the_person_as_written"),
        ("sehoglandet", "0008_history_reasons_as_codes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
