"""Loading the association's reference data: organisations, municipalities and referral groups.

The file sehoglandet/data/hoglandet.json is data, not code: changing it and loading again is how
a coach FTE changes or a municipality joins, and a bad file must change nothing at all.
"""

import copy
import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from sehoglandet.models import (
    Association,
    CaseEvent,
    Municipality,
    Organisation,
    ReferralGroup,
    ReferralGroupGroupObjectPermission,
    ReferralGroupSeat,
)
from sehoglandet.reference_data import DEFAULT_FILE

# Coach posts in per cent of a full-time post, as decided by the association.
DESIGN_FTE = {"Aneby": 75, "Eksjö": 150, "Nässjö": 180, "Sävsjö": 150, "Tranås": 100, "Vetlanda": 150}

REFERENCE_MODELS = [Association, Organisation, Municipality, ReferralGroup, ReferralGroupSeat]


@pytest.fixture(autouse=True)
def _start_from_an_empty_database(empty_database):
    """These tests load from nothing, as on a fresh installation."""


def the_file() -> dict:
    return json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


def write(tmp_path, data, name="reference.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def load(path=None) -> str:
    out = StringIO()
    if path is None:
        call_command("load_reference_data", stdout=out)
    else:
        call_command("load_reference_data", file=path, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """How many rows every table holds, history and permission tables included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models(include_auto_created=True)}


def database_snapshot() -> dict:
    return {
        "counts": row_counts(),
        "municipalities": sorted(Municipality.objects.values_list("code", "name", "coach_fte_percent", "se_team_id")),
        "organisations": sorted(Organisation.objects.values_list("code", "name", "short_name", "kind", "group_id")),
        "groups": sorted(Group.objects.values_list("id", "name")),
    }


def history_rows() -> int:
    return sum(model.history.count() for model in REFERENCE_MODELS)


def a_seventh_municipality() -> dict:
    return {
        "code": "gislaved",
        "name": "Gislaved",
        "coach_fte_percent": 120,
        "units": [
            {"code": "gislaved-se", "name": "SE-team Gislaved", "short_name": "SE-team"},
            {"code": "gislaved-bistand", "name": "Biståndsenheten Gislaved", "short_name": "Biståndsenheten"},
        ],
        "se_team": "gislaved-se",
        "referral_group": ["gislaved-bistand", "af", "fk", "region-psykiatri"],
    }


def municipality_spec(data: dict, code: str) -> dict:
    return next(spec for spec in data["municipalities"] if spec["code"] == code)


# --- What a load creates --------------------------------------------------------------------------


def test_loading_creates_the_six_municipalities_with_their_coach_fte(system_user):
    load()

    assert dict(Municipality.objects.values_list("name", "coach_fte_percent")) == DESIGN_FTE


def test_capacity_is_twenty_participants_per_full_time_coach_post(system_user):
    load()

    capacity = {m.name: m.capacity for m in Municipality.objects.all()}
    assert capacity == {name: fte * 20 // 100 for name, fte in DESIGN_FTE.items()}
    assert capacity["Nässjö"] == 36
    assert capacity["Aneby"] == 15


def test_loading_creates_af_fk_the_region_and_the_association_itself(system_user):
    load()

    association = Association.objects.get()
    assert association.name == the_file()["association"]["name"]
    kinds = {o.name: o.kind for o in Organisation.objects.filter(municipality=None)}
    assert kinds == {
        "Arbetsförmedlingen": Organisation.Kind.EMPLOYMENT_SERVICE,
        "Försäkringskassan": Organisation.Kind.SOCIAL_INSURANCE,
        "Region Jönköpings län – psykiatri": Organisation.Kind.REGION,
        association.name: Organisation.Kind.ASSOCIATION,
    }
    assert set(Organisation.objects.values_list("association", flat=True)) == {association.pk}


def test_every_municipality_has_a_bistandsenhet_and_an_se_team_of_its_own(system_user):
    load()

    for municipality in Municipality.objects.all():
        units = {o.name: o for o in Organisation.objects.filter(municipality=municipality)}
        assert set(units) == {f"Biståndsenheten {municipality.name}", f"SE-team {municipality.name}"}
        assert all(unit.kind == Organisation.Kind.MUNICIPALITY for unit in units.values())
        assert municipality.se_team == units[f"SE-team {municipality.name}"]


def test_every_municipality_has_one_referral_group_with_seats_for_bistand_af_fk_and_the_region(system_user):
    load()

    assert ReferralGroup.objects.count() == Municipality.objects.count() == 6
    for municipality in Municipality.objects.all():
        seats = municipality.referral_group.seats.select_related("organisation")
        assert sorted(seat.organisation.name for seat in seats) == sorted(
            [
                f"Biståndsenheten {municipality.name}",
                "Arbetsförmedlingen",
                "Försäkringskassan",
                "Region Jönköpings län – psykiatri",
            ]
        )


def test_every_organisation_and_every_seat_is_mirrored_by_an_auth_group_of_its_own(system_user):
    load()

    organisations = list(Organisation.objects.select_related("group"))
    seats = list(ReferralGroupSeat.objects.select_related("group", "organisation", "referral_group__municipality"))
    data = the_file()
    assert len(organisations) == len(data["organisations"]) + sum(len(m["units"]) for m in data["municipalities"])
    assert len(seats) == sum(len(m["referral_group"]) for m in data["municipalities"])
    for organisation in organisations:
        assert organisation.group.name == organisation.name
    for seat in seats:
        assert seat.referral_group.municipality.name in seat.group.name
        assert seat.organisation.short_name in seat.group.name
    group_ids = [o.group_id for o in organisations] + [s.group_id for s in seats]
    assert len(set(group_ids)) == len(group_ids)


def test_the_se_team_and_every_seat_may_view_their_referral_group(system_user):
    load()

    for group in ReferralGroup.objects.select_related("municipality__se_team"):
        granted = set(
            ReferralGroupGroupObjectPermission.objects.filter(
                content_object=group, permission__codename="view_referralgroup"
            ).values_list("group", flat=True)
        )
        expected = {group.municipality.se_team.group_id, *group.seats.values_list("group", flat=True)}
        assert granted == expected


def test_the_command_reports_what_it_loaded(system_user):
    data = the_file()

    with translation.override("en"):
        output = load()

    organisations = len(data["organisations"]) + sum(len(m["units"]) for m in data["municipalities"])
    seats = sum(len(m["referral_group"]) for m in data["municipalities"])
    assert f"{organisations} organisations" in output
    assert f"{len(data['municipalities'])} municipalities" in output
    assert f"{seats} seats" in output


# --- Loading again ---------------------------------------------------------------------------------


def test_loading_the_same_file_twice_changes_nothing_and_writes_no_history(system_user):
    load()
    before = database_snapshot()

    load()

    assert database_snapshot() == before


def test_a_changed_fte_in_the_file_is_updated_with_one_history_row_and_one_event_by_the_system_user(
    system_user, tmp_path
):
    load()
    data = the_file()
    municipality_spec(data, "nassjo")["coach_fte_percent"] = 200
    counts_before = row_counts()
    history_before = Municipality.history.filter(code="nassjo").count()

    load(write(tmp_path, data))

    nassjo = Municipality.objects.get(code="nassjo")
    assert nassjo.coach_fte_percent == 200
    assert nassjo.capacity == 40
    assert Municipality.objects.get(code="aneby").coach_fte_percent == 75
    assert Municipality.history.filter(code="nassjo").count() == history_before + 1
    latest = Municipality.history.filter(code="nassjo").latest("history_date")
    assert latest.history_type == "~"
    assert latest.coach_fte_percent == 200
    assert latest.history_user == system_user
    assert latest.history_change_reason == "reference_data.loaded"
    changed = {label: n - counts_before[label] for label, n in row_counts().items() if n != counts_before[label]}
    assert changed == {Municipality.history.model._meta.label: 1, CaseEvent._meta.label: 1}
    event = CaseEvent.objects.latest("id")
    assert (event.code, event.actor, event.payload) == ("reference_data.loaded", system_user, {"rows_changed": 1})


def test_a_seventh_municipality_in_the_file_is_added_without_any_code_change(system_user, tmp_path):
    load()
    data = the_file()
    data["municipalities"].append(a_seventh_municipality())

    load(write(tmp_path, data))

    gislaved = Municipality.objects.get(code="gislaved")
    assert Municipality.objects.count() == 7
    assert gislaved.name == "Gislaved"
    assert gislaved.coach_fte_percent == 120
    assert gislaved.capacity == 24
    assert gislaved.se_team.name == "SE-team Gislaved"
    assert gislaved.se_team.group.name == "SE-team Gislaved"
    assert sorted(gislaved.referral_group.seats.values_list("organisation__code", flat=True)) == sorted(
        a_seventh_municipality()["referral_group"]
    )
    assert Municipality.objects.get(code="nassjo").coach_fte_percent == 180


# --- Bad files -------------------------------------------------------------------------------------


def _missing_field(data):
    del municipality_spec(data, "eksjo")["coach_fte_percent"]


def _unknown_kind(data):
    data["organisations"][1]["kind"] = "cooperative"


def _negative_fte(data):
    municipality_spec(data, "tranas")["coach_fte_percent"] = -10


def _unknown_organisation_in_referral_group(data):
    municipality_spec(data, "vetlanda")["referral_group"].append("ghost-agency")


def _duplicate_code(data):
    municipality_spec(data, "savsjo")["units"][1]["code"] = "fk"


BAD_FILES = {
    "missing field": (_missing_field, ["coach_fte_percent", "missing"]),
    "unknown kind": (_unknown_kind, ["cooperative", "unknown kind"]),
    "negative FTE": (_negative_fte, ["negative"]),
    "unknown organisation in a referral group": (_unknown_organisation_in_referral_group, ["ghost-agency"]),
    "duplicate code": (_duplicate_code, ["fk", "twice"]),
}


def a_file_with_good_changes_and(defect) -> dict:
    """The real file with changes a partial load would write, and one defect after them."""
    data = copy.deepcopy(the_file())
    municipality_spec(data, "aneby")["coach_fte_percent"] = 90
    data["organisations"].append(
        {"code": "arbetsgivare", "name": "Arbetsgivarnätverket", "short_name": "AGN", "kind": "association"}
    )
    data["municipalities"].append(a_seventh_municipality())
    defect(data)
    return data


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(system_user, tmp_path, case):
    defect, phrases = BAD_FILES[case]
    load()
    path = write(tmp_path, a_file_with_good_changes_and(defect))
    before = database_snapshot()

    with translation.override("en"), pytest.raises(CommandError) as refused:
        load(path)

    message = str(refused.value)
    assert str(path) in message
    for phrase in phrases:
        assert phrase in message
    assert "Nothing was changed" in message
    assert database_snapshot() == before


def test_a_bad_file_on_an_empty_database_creates_nothing(system_user, tmp_path):
    path = write(tmp_path, a_file_with_good_changes_and(_negative_fte))
    before = database_snapshot()

    with pytest.raises(CommandError):
        load(path)

    assert database_snapshot() == before
    assert not Municipality.objects.exists()


def test_a_file_that_is_not_json_is_refused_with_the_line_of_the_error(system_user, tmp_path):
    load()
    path = write(tmp_path, '{"association": {"code": "hoglandet",\n  "name": oops}')
    before = database_snapshot()

    with translation.override("en"), pytest.raises(CommandError) as refused:
        load(path)

    message = str(refused.value)
    assert str(path) in message
    assert "not valid JSON" in message
    assert "line 2" in message
    assert database_snapshot() == before


def test_a_file_that_does_not_exist_is_refused_and_changes_nothing(system_user, tmp_path):
    load()
    path = tmp_path / "no-such-file.json"
    before = database_snapshot()

    with translation.override("en"), pytest.raises(CommandError) as refused:
        load(path)

    message = str(refused.value)
    assert "Cannot read" in message
    assert str(path) in message
    assert database_snapshot() == before


# --- Who did it ------------------------------------------------------------------------------------


def test_the_commands_history_rows_name_the_system_user_and_a_reason(db):
    load()

    rows = [row for model in REFERENCE_MODELS for row in model.history.select_related("history_user")]
    assert rows
    assert {row.history_user.username for row in rows} == {"system"}
    assert all(row.history_change_reason for row in rows)


def test_the_system_user_cannot_sign_in(db):
    load()

    system = Municipality.history.select_related("history_user").first().history_user
    assert system.username == "system"
    assert not system.is_active
    assert not system.has_usable_password()
    assert not system.is_staff
    assert not system.is_superuser
