"""The label of a choice field's stored value, from a dictionary made once per field.

Django's get_<field>_display() makes the field's dictionary anew on every call and translates every
label of the field to do so (it hashes each lazy label). On a list of a hundred rows with four
choice columns that was a fifth of the page (bench/README.md, fifth pass). The dictionaries here
hold the lazy labels, so each is translated into the reader's language when it is shown.
"""

from functools import cache

from django.db.models import Model


@cache
def choice_labels(model: type[Model], field: str) -> dict:
    """The labels of a choice field by stored value, translated when shown."""
    return dict(model._meta.get_field(field).flatchoices)


def choice_label(record: Model | None, field: str):
    """What record.get_<field>_display() shows: the label of the value, or the value itself when it
    is not one of the choices (blank, say); None for no record."""
    if record is None:
        return None
    value = getattr(record, field)
    return choice_labels(type(record), field).get(value, value)
