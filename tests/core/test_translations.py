"""Everything a user reads is Swedish: the catalogue is complete and compiled."""

from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES"


def test_every_string_has_a_swedish_translation():
    po = polib.pofile(CATALOGUE / "django.po")

    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]

    assert untranslated == [], "run `make messages` and translate these"
    assert fuzzy == [], "review these fuzzy translations"


def test_the_compiled_catalogue_matches_the_source():
    po = {entry.msgid: (entry.msgstr, entry.msgstr_plural) for entry in polib.pofile(CATALOGUE / "django.po")}
    mo = {entry.msgid: (entry.msgstr, entry.msgstr_plural) for entry in polib.mofile(CATALOGUE / "django.mo")}

    assert mo == po, "django.mo is out of date: run `make messages` and commit it"


def test_pages_are_in_swedish(client):
    response = client.get("/konto/logga-in/")

    page = response.content.decode()
    assert '<html lang="sv">' in page
    assert "Logga in" in page
    assert "Användarnamn" in page
    assert "Lösenord" in page
