"""The search box: one query, read as a personnummer, a reserve identity, a case reference or a
name, and answered from the participants and referrals the user may see (docs/domain.md#search)."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sehoglandet.filters import RESERVE_IDENTITY
from sehoglandet.forms import Form
from sehoglandet.identity import parse_identity_number

MAX_LENGTH = 100
# SE-2026-0052, or without the prefix: 2026-0052.
REFERENCE = re.compile(r"^(?:SE-)?(\d{4})-(\d{4,6})$", re.ASCII | re.IGNORECASE)
# Only digits, spaces, - and +: meant as a personnummer, whole or not.
NUMBER_LIKE = re.compile(r"^[\d\s+-]+$", re.ASCII)
MAX_WORDS = 4


@dataclass(frozen=True)
class Query:
    """What the box was read as: exactly one of the fields is set."""

    number: str = ""  # 12 digits
    reserve_identity: str = ""
    reference: str = ""
    words: tuple[str, ...] = ()


def read_query(text: str) -> Query:
    """The query a user typed, or ValidationError with what to write instead. A personnummer must be
    whole and valid (10 or 12 digits, with -, + or neither): a part of one is refused, so the box
    never lists people by birth date (docs/domain.md#search)."""
    text = " ".join(text.split())
    compact = text.replace(" ", "")
    if RESERVE_IDENTITY.match(compact):
        return Query(reserve_identity=compact.upper())
    reference = REFERENCE.match(compact)
    if reference:
        return Query(reference=f"SE-{reference.group(1)}-{reference.group(2)}")
    if NUMBER_LIKE.match(text):
        partial = ValidationError(
            _("Write the whole personnummer, 10 or 12 digits (ÅÅÅÅMMDD-NNNN). Parts of a number are not searched."),
            code="partial",
        )
        try:
            return Query(number=parse_identity_number(compact).digits)
        except ValidationError as error:
            raise partial if error.code == "format" else error from None
    words = tuple(word for word in re.split(r"[\s,]+", text) if word)
    if len(words) > MAX_WORDS:
        raise ValidationError(
            _("Write at most %(count)s words: a first name, a last name or both.") % {"count": MAX_WORDS},
            code="words",
        )
    return Query(words=words)


class SearchForm(Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_LENGTH,
        error_messages={
            "required": _("Write a name, a personnummer or a case reference to search for."),
            "max_length": _("The search is too long: write at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_q(self) -> Query:
        return read_query(self.cleaned_data["q"])
