"""The operations guide keeps up with the code: every environment variable settings.py reads is in its
table, and the systemd units it tells operators to install exist."""

import re
from pathlib import Path

from django.conf import settings

GUIDE = Path(settings.BASE_DIR, "docs", "operations.md").read_text(encoding="utf-8")
SETTINGS = Path(settings.BASE_DIR, "sehoglandet", "settings.py").read_text(encoding="utf-8")
READS = re.compile(r"""(?:os\.environ\.get|env_bool|env_int|env_float|env_list)\(\s*["']([A-Z0-9_]+)["']""")


def table_rows() -> str:
    section = GUIDE.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def test_every_environment_variable_the_settings_read_is_in_the_guides_table():
    variables = set(READS.findall(SETTINGS))
    rows = table_rows()

    assert len(variables) > 20
    assert sorted(name for name in variables if f"`{name}`" not in rows) == []


def test_the_systemd_units_the_guide_names_are_in_the_repository():
    named = set(re.findall(r"deploy/([\w@.-]+\.(?:service|timer))", GUIDE))
    present = {path.name for path in Path(settings.BASE_DIR, "deploy").iterdir()}

    assert named >= {"sehoglandet.service", "sehoglandet-job@.service"}
    assert named <= present
    for timer in (name for name in present if name.endswith(".timer")):
        assert f"deploy/{timer}" in GUIDE
