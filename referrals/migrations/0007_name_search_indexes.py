"""The search box finds a referral by the start of the first or last name the writer gave
(sehoglandet/search_indexes.py)."""

from django.db import migrations

from sehoglandet.search_indexes import name_prefix_indexes


class Migration(migrations.Migration):
    dependencies = [("referrals", "0006_lists_indexes")]

    operations = [
        name_prefix_indexes(
            "referrals_referral",
            {"referral_search_first_name": "first_name", "referral_search_last_name": "last_name"},
        )
    ]
