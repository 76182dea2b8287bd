import django.db.models.deletion
from django.db import migrations, models

PERSON_FIELDS = [
    "first_name",
    "last_name",
    "gender",
    "phone",
    "email",
    "street_address",
    "postal_code",
    "city",
    "protected_identity",
]


def copy_from_person(apps, schema_editor):
    """Referrals written before this migration take the person's details as they stand: the best
    record there is of what was typed, since a known person was left unchanged."""
    Referral = apps.get_model("referrals", "Referral")
    for referral in Referral.objects.select_related("person").only("pk", "person").iterator(chunk_size=2000):
        person = referral.person
        Referral.objects.filter(pk=referral.pk).update(
            residence_id=person.municipality_id, **{name: getattr(person, name) for name in PERSON_FIELDS}
        )


def fields(model_name: str) -> list:
    historical = model_name.startswith("historical")
    residence = (
        models.ForeignKey(
            blank=True,
            db_constraint=False,
            null=True,
            on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+",
            to="sehoglandet.municipality",
            verbose_name="municipality of residence",
        )
        if historical
        else models.ForeignKey(
            blank=True,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="sehoglandet.municipality",
            verbose_name="municipality of residence",
        )
    )
    return [
        migrations.AddField(
            model_name=model_name,
            name="first_name",
            field=models.CharField(default="", max_length=100, verbose_name="first name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name,
            name="last_name",
            field=models.CharField(default="", max_length=100, verbose_name="last name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name,
            name="gender",
            field=models.CharField(
                choices=[("woman", "Woman"), ("man", "Man"), ("other", "Other or prefers not to say")],
                default="other",
                max_length=10,
                verbose_name="gender",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name,
            name="phone",
            field=models.CharField(blank=True, max_length=30, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="street_address",
            field=models.CharField(blank=True, max_length=200, verbose_name="street address"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="postal_code",
            field=models.CharField(blank=True, max_length=10, verbose_name="postal code"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="city",
            field=models.CharField(blank=True, max_length=100, verbose_name="city"),
        ),
        migrations.AddField(model_name=model_name, name="residence", field=residence),
        migrations.AddField(
            model_name=model_name,
            name="protected_identity",
            field=models.BooleanField(default=False, verbose_name="protected identity"),
        ),
    ]


class Migration(migrations.Migration):
    """A referral keeps the person as its writer described them (docs/domain.md#identity-lookup)."""

    dependencies = [
        ("referrals", "0003_person_moves_to_core"),
        ("sehoglandet", "0008_history_reasons_as_codes"),
    ]

    operations = [
        *fields("referral"),
        *fields("historicalreferral"),
        migrations.RunPython(copy_from_person, migrations.RunPython.noop, elidable=True),
    ]
