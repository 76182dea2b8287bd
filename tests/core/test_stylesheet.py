"""The stylesheet parses: an unclosed rule makes the browser swallow every rule after it, which no
page test notices until a layout breaks on a phone."""

import re
from pathlib import Path

from django.conf import settings


def test_every_rule_in_the_stylesheets_is_closed():
    for sheet in Path(settings.BASE_DIR, "static", "css").glob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        depth = 0
        for number, line in enumerate(text.splitlines(), start=1):
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{sheet.name}: a stray }} by line {number}"
        assert depth == 0, f"{sheet.name}: {depth} rule(s) left open"
