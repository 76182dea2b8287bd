"""A table that may scroll sideways on a phone is a named, focusable region, so a keyboard user can
scroll it and a screen reader names it (axe: scrollable-region-focusable, WCAG 2.1.1)."""

import re
from pathlib import Path

from django.conf import settings

WRAPPER = re.compile(r'<div class="table-wrap"([^>]*)>')


def test_every_table_wrapper_is_a_focusable_region_named_by_an_element_of_the_page():
    wrappers = []
    for template in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for attributes in WRAPPER.findall(text):
            wrappers.append(template.name)
            assert 'tabindex="0"' in attributes and re.search(r'role="(region|group)"', attributes), template
            label = re.search(r'aria-labelledby="([^"]+)"', attributes)
            assert label and f'id="{label.group(1)}"' in text, template
    assert len(wrappers) >= 15
