"""Reading and checking the reference-data file (sehoglandet/data/hoglandet.json).

The whole file is checked before anything is written, so a bad file changes nothing.
"""

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .models import Organisation

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "hoglandet.json"


class ReferenceDataError(ValueError):
    pass


def _require(obj: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ReferenceDataError(_("%(where)s: the field “%(key)s” is missing.") % {"where": where, "key": key})
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise ReferenceDataError(_("%(where)s: the field “%(key)s” has the wrong type.") % {"where": where, "key": key})
    return value


def _organisation(spec: Any, where: str, kinds: set[str] | None) -> dict[str, str]:
    result = {key: _require(spec, key, str, where) for key in ("code", "name", "short_name")}
    if kinds is not None:
        kind = _require(spec, "kind", str, where)
        if kind not in kinds:
            raise ReferenceDataError(
                _("%(where)s: unknown kind “%(kind)s” (allowed: %(allowed)s).")
                % {"where": where, "kind": kind, "allowed": ", ".join(sorted(kinds))}
            )
        result["kind"] = kind
    return result


def parse(text: str) -> dict[str, Any]:
    """Check the file's content and return it in the shape services.load_reference_data takes."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReferenceDataError(
            _("The file is not valid JSON (line %(line)d, column %(column)d).")
            % {"line": error.lineno, "column": error.colno}
        ) from None

    association = _require(raw, "association", dict, _("the file"))
    data: dict[str, Any] = {
        "association": {
            "code": _require(association, "code", str, "association"),
            "name": _require(association, "name", str, "association"),
        },
        "organisations": [],
        "municipalities": [],
    }
    codes: set[str] = set()

    def claim(code: str, where: str) -> None:
        if code in codes:
            raise ReferenceDataError(
                _("%(where)s: the code “%(code)s” is used twice.") % {"where": where, "code": code}
            )
        codes.add(code)

    other_kinds = set(Organisation.Kind.values) - {Organisation.Kind.MUNICIPALITY}
    for index, spec in enumerate(_require(raw, "organisations", list, _("the file")), start=1):
        where = f"organisations[{index}]"
        organisation = _organisation(spec, where, other_kinds)
        claim(organisation["code"], where)
        data["organisations"].append(organisation)

    for index, spec in enumerate(_require(raw, "municipalities", list, _("the file")), start=1):
        where = f"municipalities[{index}]"
        municipality = {key: _require(spec, key, str, where) for key in ("code", "name", "se_team")}
        fte = _require(spec, "coach_fte_percent", int, where)
        if fte < 0:
            raise ReferenceDataError(_("%(where)s: coach FTE cannot be negative.") % {"where": where})
        municipality["coach_fte_percent"] = fte
        municipality["units"] = []
        for unit_index, unit in enumerate(_require(spec, "units", list, where), start=1):
            unit_where = f"{where}.units[{unit_index}]"
            unit = _organisation(unit, unit_where, None)
            claim(unit["code"], unit_where)
            municipality["units"].append(unit)
        unit_codes = {unit["code"] for unit in municipality["units"]}
        if municipality["se_team"] not in unit_codes:
            raise ReferenceDataError(
                _("%(where)s: the SE team “%(code)s” is not one of the municipality's units.")
                % {"where": where, "code": municipality["se_team"]}
            )
        seats = _require(spec, "referral_group", list, where)
        known = unit_codes | {o["code"] for o in data["organisations"]}
        for code in seats:
            if code not in known:
                raise ReferenceDataError(
                    _("%(where)s: the referral group names an unknown organisation “%(code)s”.")
                    % {"where": where, "code": code}
                )
        municipality["referral_group"] = list(dict.fromkeys(seats))
        data["municipalities"].append(municipality)
    return data
