"""The search box finds a participant by the start of the person's first or last name
(sehoglandet/search_indexes.py)."""

from django.db import migrations

from sehoglandet.search_indexes import name_prefix_indexes


class Migration(migrations.Migration):
    dependencies = [("sehoglandet", "0012_calendar_feed")]

    operations = [
        name_prefix_indexes(
            "sehoglandet_person",
            {"person_search_first_name": "first_name", "person_search_last_name": "last_name"},
        )
    ]
