"""Employment and the aftercare plan (efterstöd, docs/domain.md#aftercare): the plan's dates, who may write,
what is refused, what the history keeps."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants import selectors, services
from participants.events import ParticipantEvent
from participants.models import AftercareVisit, Employment, Participant
from tests.helpers import today

from .conftest import enrol, exit_directly

START = date(2025, 3, 3)  # a Monday
VISIT, PHONE = AftercareVisit.Kind.VISIT, AftercareVisit.Kind.PHONE


def register(people, participant, username="coach.nassjo", **overrides) -> Employment:
    values = {
        "employer": "Bageriet på torget",
        "kind": Employment.Kind.EMPLOYMENT,
        "starts_on": START,
        "ends_on": None,
        "hours_per_week": Decimal("20"),
    }
    values.update(overrides)
    return services.register_employment(actor=people[username], participant=participant, **values)


def plan(participant) -> list[tuple[date, str, str]]:
    return list(participant.aftercare_visits.order_by("due_on").values_list("due_on", "kind", "status"))


# Registering employment


@pytest.mark.parametrize("kind", [Employment.Kind.EMPLOYMENT, Employment.Kind.SUBSIDISED_EMPLOYMENT])
def test_an_employment_generates_the_plan_of_the_aftercare_model(people, participant, kind):
    register(people, participant, kind=kind)

    # Hand-computed from 2025-03-03: month 1 four weekly visits, month 2 two, month 3 one,
    # months 4-6 a phone call a month.
    assert plan(participant) == [
        (date(2025, 3, 10), VISIT, "planned"),
        (date(2025, 3, 17), VISIT, "planned"),
        (date(2025, 3, 24), VISIT, "planned"),
        (date(2025, 3, 31), VISIT, "planned"),
        (date(2025, 4, 10), VISIT, "planned"),
        (date(2025, 4, 24), VISIT, "planned"),
        (date(2025, 5, 17), VISIT, "planned"),
        (date(2025, 6, 16), PHONE, "planned"),
        (date(2025, 7, 16), PHONE, "planned"),
        (date(2025, 8, 15), PHONE, "planned"),
    ]


def test_the_employment_is_kept_with_who_registered_it_and_history(people, participant):
    employment = register(people, participant, ends_on=date(2025, 9, 30), hours_per_week=Decimal("37.5"))

    employment.refresh_from_db()
    assert (employment.employer, employment.starts_on, employment.ends_on, employment.hours_per_week) == (
        "Bageriet på torget",
        START,
        date(2025, 9, 30),
        Decimal("37.5"),
    )
    assert employment.created_by == people["coach.nassjo"]
    record = employment.history.get()
    assert (record.history_user, record.history_change_reason) == (
        people["coach.nassjo"],
        ParticipantEvent.EMPLOYMENT_REGISTERED,
    )


def test_an_employment_moves_an_active_participant_to_aftercare(people, participant):
    assert participant.status == Participant.Status.ACTIVE

    register(people, participant)

    participant.refresh_from_db()
    assert participant.status == Participant.Status.AFTERCARE
    assert participant.history.first().history_change_reason == ParticipantEvent.AFTERCARE_STARTED


@pytest.mark.parametrize("kind", [Employment.Kind.STUDIES, Employment.Kind.PLACEMENT])
def test_studies_and_placements_make_no_plan_and_keep_the_status(people, participant, kind):
    register(people, participant, kind=kind)

    participant.refresh_from_db()
    assert participant.employments.count() == 1
    assert not participant.aftercare_visits.exists()
    assert participant.status == Participant.Status.ACTIVE


def test_a_second_employment_in_aftercare_adds_its_own_plan(people, participant):
    register(people, participant)
    register(people, participant, employer="Lagret", starts_on=date(2025, 5, 5))

    participant.refresh_from_db()
    assert participant.status == Participant.Status.AFTERCARE
    assert participant.aftercare_visits.count() == 20


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": START - timedelta(days=1)}, "ends_on"),
        ({"kind": "volunteering"}, "kind"),
        ({"hours_per_week": Decimal("81")}, "hours_per_week"),
        ({"hours_per_week": Decimal("-1")}, "hours_per_week"),
        ({"employer": "  "}, "employer"),
    ],
    ids=["end before start", "unknown kind", "81 hours", "negative hours", "no employer"],
)
def test_bad_employment_input_is_refused_on_its_field_and_nothing_is_saved(people, participant, overrides, field):
    with pytest.raises(ValidationError) as refused:
        register(people, participant, **overrides)

    participant.refresh_from_db()
    assert field in refused.value.error_dict
    assert not Employment.objects.exists()
    assert not Employment.history.exists()
    assert not AftercareVisit.objects.exists()
    assert participant.status == Participant.Status.ACTIVE


def test_an_end_before_the_start_is_refused_in_swedish(people, participant):
    with pytest.raises(ValidationError) as refused:
        register(people, participant, ends_on=START - timedelta(days=1))

    assert refused.value.error_dict["ends_on"][0].messages == ["Anställningen kan inte sluta innan den börjar."]


def test_no_employment_is_registered_after_exit(people, participant):
    exit_directly(participant)

    with pytest.raises(ValidationError, match="utskriven"):
        register(people, participant)

    assert not Employment.objects.exists()


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.nassjo", "referrer.af"])
def test_only_the_municipalitys_coach_may_register_employment(people, participant, username):
    with pytest.raises(PermissionDenied):
        register(people, participant, username=username)

    assert not Employment.objects.exists()


# Marking visits


def first_visit(participant) -> AftercareVisit:
    return participant.aftercare_visits.order_by("due_on").first()


def test_a_visit_is_marked_done_today_unless_another_day_is_given(people, participant):
    register(people, participant)
    visit = first_visit(participant)

    services.mark_visit(actor=people["coach.nassjo"], visit=visit, status="done", note="  Allt gick bra. ")

    visit.refresh_from_db()
    assert (visit.status, visit.done_on, visit.note) == ("done", today(), "Allt gick bra.")
    assert visit.history.first().history_change_reason == ParticipantEvent.VISIT_MARKED


def test_a_visit_is_marked_missed(people, participant):
    register(people, participant)
    visit = first_visit(participant)

    services.mark_visit(actor=people["coach.nassjo"], visit=visit, status="missed")

    visit.refresh_from_db()
    assert (visit.status, visit.done_on) == ("missed", None)


def test_a_moved_visit_gets_the_new_date_and_the_history_keeps_the_old_one(people, participant):
    register(people, participant)
    visit = first_visit(participant)

    services.mark_visit(actor=people["coach.nassjo"], visit=visit, status="moved", moved_to=date(2025, 3, 12))

    visit.refresh_from_db()
    assert (visit.status, visit.due_on) == ("moved", date(2025, 3, 12))
    assert list(visit.history.order_by("history_id").values_list("due_on", flat=True)) == [
        date(2025, 3, 10),
        date(2025, 3, 12),
    ]


def test_a_moved_visit_can_then_be_marked_done(people, participant):
    register(people, participant)
    visit = first_visit(participant)
    services.mark_visit(actor=people["coach.nassjo"], visit=visit, status="moved", moved_to=date(2025, 3, 12))

    services.mark_visit(actor=people["coach.nassjo"], visit=visit, status="done", done_on=date(2025, 3, 12))

    visit.refresh_from_db()
    assert (visit.status, visit.done_on) == ("done", date(2025, 3, 12))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"status": "moved"}, "moved_to"),
        ({"status": "moved", "moved_to": START - timedelta(days=1)}, "moved_to"),
        ({"status": "done", "done_on": timezone.localdate() + timedelta(days=1)}, "done_on"),
        ({"status": "planned"}, "status"),
    ],
    ids=["move without a date", "move before the start", "done in the future", "back to planned"],
)
def test_a_bad_mark_is_refused_and_the_visit_is_unchanged(people, participant, values, field):
    register(people, participant)
    visit = first_visit(participant)

    with pytest.raises(ValidationError) as refused:
        services.mark_visit(actor=people["coach.nassjo"], visit=visit, **values)

    visit.refresh_from_db()
    assert field in refused.value.error_dict
    assert (visit.status, visit.due_on, visit.done_on) == ("planned", date(2025, 3, 10), None)


def test_a_visit_marked_done_cannot_be_marked_again(people, participant):
    register(people, participant)
    visit = first_visit(participant)
    services.mark_visit(actor=people["coach.nassjo"], visit=visit, status="done")

    with pytest.raises(ValidationError):
        services.mark_visit(actor=people["coach.nassjo"], visit=visit, status="missed")

    visit.refresh_from_db()
    assert visit.status == "done"


@pytest.mark.parametrize("username", ["coach.eksjo", "chef.nassjo"])
def test_only_the_municipalitys_coach_may_mark_a_visit(people, participant, username):
    register(people, participant)
    visit = first_visit(participant)

    with pytest.raises(PermissionDenied):
        services.mark_visit(actor=people[username], visit=visit, status="done")

    visit.refresh_from_db()
    assert visit.status == "planned"


def test_no_visit_is_marked_after_exit(people, participant):
    register(people, participant)
    visit = first_visit(participant)
    exit_directly(participant)

    with pytest.raises(ValidationError, match="utskriven"):
        services.mark_visit(actor=people["coach.nassjo"], visit=visit, status="done")


# Extending


def test_extending_adds_a_phone_call_a_month_after_the_last_contact(people, participant):
    register(people, participant)

    added = services.extend_aftercare(actor=people["coach.nassjo"], participant=participant, months=2)

    assert [(v.due_on, v.kind) for v in added] == [(date(2025, 9, 14), PHONE), (date(2025, 10, 14), PHONE)]
    assert participant.aftercare_visits.count() == 12
    assert added[0].history.get().history_change_reason == ParticipantEvent.AFTERCARE_EXTENDED


def test_extending_without_a_plan_is_refused(people, participant):
    with pytest.raises(ValidationError, match="efterstödsplan"):
        services.extend_aftercare(actor=people["coach.nassjo"], participant=participant)


@pytest.mark.parametrize("months", [0, 7])
def test_extending_by_a_wrong_number_of_months_is_refused(people, participant, months):
    register(people, participant)

    with pytest.raises(ValidationError):
        services.extend_aftercare(actor=people["coach.nassjo"], participant=participant, months=months)

    assert participant.aftercare_visits.count() == 10


def test_an_outsider_coach_may_not_extend(people, participant):
    register(people, participant)

    with pytest.raises(PermissionDenied):
        services.extend_aftercare(actor=people["coach.eksjo"], participant=participant)

    assert participant.aftercare_visits.count() == 10


# What is due this week


def test_aftercare_due_lists_the_coachs_open_visits_in_the_range_in_one_query(people, participant):
    (bo,) = enrol(people, ("Bo", "Cederholm"))
    register(people, participant)
    register(people, bo, starts_on=START + timedelta(days=1))
    done = first_visit(participant)
    services.mark_visit(actor=people["coach.nassjo"], visit=done, status="done")
    (eksjo,) = enrol(people, ("Eva", "Ek"), municipality_code="eksjo")
    register(people, eksjo, username="coach.eksjo")
    coach = people["coach.nassjo"]
    list(selectors.aftercare_due(coach, START, START))  # reads the coach's memberships once

    with CaptureQueriesContext(connection) as queries:
        due = [
            (v.participant.person.last_name, v.due_on)
            for v in selectors.aftercare_due(coach, date(2025, 3, 10), date(2025, 3, 16))
        ]

    # One query for the visits with their participants; guardian may look up the permission first.
    visit_queries = [q for q in queries.captured_queries if "participants_aftercarevisit" in q["sql"]]
    assert len(visit_queries) == 1
    assert len(queries) <= 2
    assert due == [("Cederholm", date(2025, 3, 11))]


def test_aftercare_due_is_empty_for_someone_who_coaches_no_municipality(people, participant):
    register(people, participant)

    assert not selectors.aftercare_due(people["chef.nassjo"], START, START + timedelta(days=200)).exists()
