"""Is a consultation's text de-identified? (docs/domain.md#consultations)

Seed 004 asks that a consultation be "så avidentifierat som möjligt". No check finds every way to
point at someone, so this one refuses what it can find without asking the registry:

- a personnummer or samordningsnummer in any common form: 10 or 12 digits, with or without "-",
  "+" or a space before the last four, whose first six digits form a date (a samordningsnummer's
  day plus 60). The check digit is not asked: a number with a typing error still points at someone;
- an e-mail address;
- a word written with a capital inside a sentence, as Swedish writes only proper nouns, unless it is
  an abbreviation (FK, AF, LSS) or a word of the name of an organisation or municipality the
  service knows (Försäkringskassan, Nässjö): the names of the public parties, not of persons.

It never compares the text with the persons the service knows: a refusal that depended on whether
someone called "Lisa" has a case would tell the asker exactly that (DESIGN.md §6, "Nothing is learnt
by asking"). The answer is the same for every text, whoever is in the registry.
"""

import re
from datetime import date

from django.utils.translation import gettext as _

# ÅÅMMDD or ÅÅÅÅMMDD, then "-", "+" or a space (or nothing), then four digits; not inside a longer number.
_IDENTITY_NUMBER = re.compile(r"(?<![\d-])(?P<century>\d{2})?(?P<six>\d{6})[-+ ]?\d{4}(?![\d-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A word of letters, with hyphenated parts ("Anna-Karin", "FK-handläggare").
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# What comes right before the first word of a sentence: the start, an end of sentence, a new line or
# a list bullet, and maybe an opening quote.
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n[ \t]*(?:[-•*][ \t]+)?)[\"'“”«(]?$")
# Proper nouns that name no person and that a question about the service may well use.
ALWAYS_ALLOWED = {
    "sverige",
    "höglandet",
    "supported",
    "employment",
    "samordningsförbundet",
    "jönköping",
    "jönköpings",
    "region",
    "regionen",
}


def _is_date(century: str | None, six: str) -> bool:
    year = int(century or "20") * 100 + int(six[:2])
    day = int(six[4:6])
    try:
        date(year, int(six[2:4]), day - 60 if day > 60 else day)
    except ValueError:
        return False
    return True


def has_identity_number(text: str) -> bool:
    return any(_is_date(m["century"], m["six"]) for m in _IDENTITY_NUMBER.finditer(text))


def allowed_words(names: list[str]) -> set[str]:
    """The words of the given organisation and municipality names, in lower case."""
    words = set(ALWAYS_ALLOWED)
    for name in names:
        words |= {word.lower() for word in _WORD.findall(name)}
    return words


def _is_allowed(word: str, allowed: set[str]) -> bool:
    lower = word.lower()
    # A genitive (Försäkringskassans, Nässjös) is the name it is formed from.
    return lower in allowed or (lower.endswith("s") and lower[:-1] in allowed)


def capitalised_words(text: str, allowed: set[str]) -> list[str]:
    """Words written with a capital inside a sentence that are neither abbreviations nor allowed names."""
    found = []
    for match in _WORD.finditer(text):
        first = match.group().split("-")[0]
        if not first[0].isupper() or first.isupper() or _is_allowed(match.group(), allowed):
            continue
        if _SENTENCE_START.search(text[: match.start()]):
            continue
        if match.group() not in found:
            found.append(match.group())
    return found


def identifying_details(text: str, *, allowed: set[str]) -> list[str]:
    """What in `text` may identify a person, as messages for the writer; empty when nothing was found."""
    problems = []
    if has_identity_number(text):
        problems.append(
            _(
                "The text holds what looks like a personnummer or samordningsnummer. A consultation must be "
                "de-identified: remove the number."
            )
        )
    if _EMAIL.search(text):
        problems.append(_("The text holds an e-mail address. A consultation must be de-identified: remove it."))
    names = capitalised_words(text, allowed)
    if names:
        problems.append(
            _(
                "The text seems to name someone (%(words)s). A consultation must be de-identified: write, for "
                "example, “a participant” or “the person” instead of a name."
            )
            % {"words": ", ".join(names)}
        )
    return problems
