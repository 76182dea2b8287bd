"""A record's id in a template is never localized: with Swedish number formats, `{{ meeting.pk }}` renders
1234 as "1 234", which breaks a form's value (the choice is refused) and an element's id (aria-labelledby
points at nothing) once the ids pass a thousand."""

import re
from pathlib import Path

from django.conf import settings

LOCALIZED_ID = re.compile(r"\{\{\s*[\w.]+\.(pk|id)\s*\}\}")


def test_no_template_prints_a_record_id_with_the_thousands_separator():
    templates = [path for path in Path(settings.BASE_DIR).glob("**/templates/**/*.html") if ".venv" not in path.parts]
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in templates
        for match in LOCALIZED_ID.finditer(path.read_text(encoding="utf-8"))
    ]

    assert len(templates) > 50
    assert offenders == []
