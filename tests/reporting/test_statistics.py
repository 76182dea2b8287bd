"""The anonymous statistical records (docs/domain.md#statistical-record): each service brings them in
step in its own transaction, they hold no identity, a refresh is idempotent, and the report gives the
same figures after the retention purge has deleted the live records."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consent.models import Consent, Purpose
from participants import services as participant_services
from participants.models import Participant, Transfer
from referrals import services as referral_services
from referrals.models import AgendaItem, Decision, Referral
from reporting.models import (
    ROUNDING_KEY_LIMIT,
    EnrolmentEmployment,
    EnrolmentIncome,
    EnrolmentMunicipalityPeriod,
    EnrolmentStatistic,
    ReferralStatistic,
    SurveyResponse,
    rounding_key_of,
)
from reporting.report import build_report, period_from_code
from reporting.services import refresh_all_statistics, refresh_statistics, refresh_statistics_for_event
from sehoglandet import events
from sehoglandet.models import CaseEvent, Municipality, Person
from tests import factories
from tests.helpers import today
from tests.participants.conftest import _hold_today, enrol, exit_directly
from tests.reporting.figures import all_reports, row_counts

from .test_report_figures import counts, dataset  # noqa: F401  (dataset: the 2026 H1 edge cases, a fixture)

STATISTIC_MODELS = [
    EnrolmentStatistic,
    EnrolmentMunicipalityPeriod,
    EnrolmentIncome,
    EnrolmentEmployment,
    ReferralStatistic,
]


def statistic_of(participant: Participant) -> EnrolmentStatistic:
    return EnrolmentStatistic.objects.get(participant=participant)


def periods_of(participant: Participant) -> list[tuple]:
    return list(
        statistic_of(participant)
        .municipality_periods.order_by("moved_in_on", "pk")
        .values_list("municipality__code", "moved_in_on", "moved_out_on")
    )


def incomes_of(participant: Participant) -> list[tuple]:
    return list(statistic_of(participant).incomes.order_by("pk").values_list("phase", "source", "valid_from"))


def consent_to_transfer(people, participant: Participant) -> None:
    factories.give_consent(
        people["coach.nassjo"], participant.person, org_codes=["eksjo-se"], purposes=[Purpose.TRANSFER]
    )


# The statistic follows each service


def test_an_enrolment_gets_its_statistic_in_the_transaction_of_the_groups_decision(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))

    stat = statistic_of(alva)
    assert stat.gender == "woman"
    assert stat.age_band == "adult"  # born 1995: 31 at the decision
    assert stat.referring_kind == "employment_service"
    assert (stat.decided_on, stat.started_on, stat.exited_on) == (today(), today(), None)
    assert periods_of(alva) == [("nassjo", today(), None)]
    assert incomes_of(alva) == [("before", "sickness_benefit", today())]
    assert stat.person_key.version == 4


def test_starting_the_support_of_someone_in_the_queue_sets_the_start(people):
    fillers = factories.fill_places(people["coach.nassjo"])
    (alva,) = enrol(people, ("Alva", "Brandt"))
    assert statistic_of(alva).started_on is None
    exit_directly(fillers[0])

    participant_services.start_support(actor=people["coach.nassjo"], participant=alva, started_on=today())

    assert statistic_of(alva).started_on == today()


def test_an_exit_brings_its_date_reason_occupation_and_income_after(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))

    participant_services.exit_participant(
        actor=people["coach.nassjo"],
        participant=alva,
        exited_on=today(),
        reason="work",
        occupation_after="work",
        income_after="salary",
        note="Fast anställning på lagret hos Svensson.",
    )

    stat = statistic_of(alva)
    assert (stat.exited_on, stat.exit_reason, stat.occupation_after) == (today(), "work", "work")
    assert incomes_of(alva) == [("before", "sickness_benefit", today()), ("after", "salary", today())]


def test_a_change_of_income_is_recorded_as_its_category_and_date(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))

    participant_services.record_income(
        actor=people["coach.nassjo"], participant=alva, source="salary", valid_from=today()
    )

    assert incomes_of(alva)[-1] == ("during", "salary", today())


def test_an_employment_is_recorded_by_kind_and_dates_and_its_end_follows(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    employment = factories.employ(people["coach.nassjo"], alva, days_ago=0)
    stored = statistic_of(alva).employments

    assert list(stored.values_list("kind", "starts_on", "ends_on")) == [("employment", today(), None)]

    participant_services.end_employment(actor=people["coach.nassjo"], employment=employment, ends_on=today())

    assert list(stored.values_list("kind", "starts_on", "ends_on")) == [("employment", today(), today())]


def test_an_accepted_transfer_closes_one_municipality_period_and_opens_the_next(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    consent_to_transfer(people, alva)
    transfer = participant_services.start_transfer(
        actor=people["coach.nassjo"], participant=alva, to_municipality=factories.municipality("eksjo")
    )
    assert periods_of(alva) == [("nassjo", today(), None)]

    participant_services.accept_transfer(actor=people["coach.eksjo"], transfer=transfer)

    assert periods_of(alva) == [("nassjo", today(), today()), ("eksjo", today(), None)]


def test_a_submitted_referral_gets_its_statistic_and_a_draft_none(people):
    draft = factories.make_referral(people, submit=False)
    submitted = factories.make_referral(people)

    assert not ReferralStatistic.objects.filter(referral=draft).exists()
    stat = ReferralStatistic.objects.get(referral=submitted)
    assert (stat.municipality.code, stat.gender, stat.outcome, stat.outcome_at) == (
        "nassjo",
        "woman",
        "submitted",
        None,
    )
    assert stat.submitted_at == submitted.submitted_at


def test_a_declined_referral_records_the_outcome_and_when_it_was_decided(people):
    referral = factories.make_case(people, "Bo", "Ek")
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, referral, meeting)
    factories.hold_meeting_today(meeting)

    factories.decide(
        people,
        item,
        Decision.Outcome.DECLINE,
        recommendation="Kontakt med psykiatrin först.",
        grounds="Behov hos två parter är inte styrkt.",
        informs_person="Handläggaren på AF",
    )

    referral.refresh_from_db()
    stat = ReferralStatistic.objects.get(referral=referral)
    assert stat.outcome == "declined"
    assert stat.outcome_at == referral.decided_at is not None


def test_a_withdrawn_referral_records_when_it_was_withdrawn(people):
    referral = factories.make_referral(people)

    referral_services.withdraw_referral(actor=people["referrer.af"], referral=referral)

    stat = ReferralStatistic.objects.get(referral=referral)
    withdrawn = CaseEvent.objects.get(code="referral.withdrawn", record_id=str(referral.pk))
    assert (stat.outcome, stat.outcome_at) == ("withdrawn", withdrawn.occurred_at)


def test_the_enrolments_of_one_person_share_a_random_key_that_no_one_else_has(people):
    (alva, bo) = enrol(people, ("Alva", "Brandt"), ("Bo", "Ek"))
    exit_directly(alva)
    again = factories.make_ready_referral(people, person=alva.person)
    meeting = factories.make_meeting(people, days_ahead=20)
    item = factories.put_on_agenda(people, again, meeting)
    _hold_today(meeting)
    factories.decide(people, item)
    second = Participant.objects.get(referral=again)

    assert statistic_of(second).person_key == statistic_of(alva).person_key
    assert statistic_of(bo).person_key != statistic_of(alva).person_key
    assert str(statistic_of(alva).person_key) not in {alva.person.identity_number, str(alva.person.pk)}
    # So is the key that rounds the counts: a person counts once, and is rounded as one.
    assert statistic_of(second).rounding_key == statistic_of(alva).rounding_key
    assert statistic_of(alva).rounding_key == rounding_key_of(statistic_of(alva).person_key)
    assert statistic_of(bo).rounding_key != statistic_of(alva).rounding_key


def test_referrals_and_survey_answers_get_a_random_rounding_key_each(people):
    referrals = [factories.make_referral(people) for _number in range(3)]
    answers = [
        SurveyResponse.objects.create(
            municipality=factories.municipality("nassjo"),
            answered_on=today(),
            gender="woman",
            q1=5,
            entered_by=people["coach.nassjo"],
        )
        for _number in range(3)
    ]

    referral_keys = {ReferralStatistic.objects.get(referral=referral).rounding_key for referral in referrals}
    assert len(referral_keys) == 3
    assert len({answer.rounding_key for answer in answers}) == 3
    assert all(0 <= key < ROUNDING_KEY_LIMIT for key in referral_keys)


def test_a_corrected_person_reaches_every_statistic_of_theirs(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    Person.objects.filter(pk=alva.person_id).update(gender="other")
    event = CaseEvent(code="person.corrected", person_id=alva.person_id, actor=people["admin"])

    refresh_statistics_for_event(event)

    assert statistic_of(alva).gender == "other"
    assert ReferralStatistic.objects.get(referral=alva.referral).gender == "other"
    assert refresh_statistics_for_event in events._handlers["person.corrected"]


# No identity


def test_a_statistical_record_has_no_field_that_could_hold_a_name_a_number_or_free_text():
    for model in STATISTIC_MODELS:
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            if isinstance(field, models.CharField):
                assert field.choices, f"{label} is free text"
                assert not isinstance(field, models.EmailField), label
            elif isinstance(field, models.ForeignKey):
                assert field.related_model in (Municipality, Participant, Referral, EnrolmentStatistic), label
            elif field.name == "rounding_key":
                # A number that, summed over the records a count counts, draws how the count is rounded
                # (reporting/disclosure.py). It is random, for an enrolment drawn from the random person
                # key, so it holds nothing of the person; no one types it.
                assert isinstance(field, models.PositiveIntegerField) and not field.editable, label
            else:
                allowed = (models.AutoField, models.DateField, models.UUIDField)
                assert isinstance(field, allowed), f"{label} is a {type(field).__name__}"
            assert field.name not in {"first_name", "last_name", "birth_date", "identity_number", "street_address"}


def test_the_statistical_records_keep_no_history():
    for model in STATISTIC_MODELS:
        assert not hasattr(model, "history"), model._meta.label


# The report reads the statistics, and they outlive the purge


def purge_everything() -> None:
    """What the retention purge does to the live records, as plain deletes: every enrolment with its
    incomes, employments, periods and transfers, every referral with its agenda items and decisions,
    every consent, case event and person, and the history rows of all of them."""
    Transfer.objects.all().delete()
    Participant.objects.all().delete()
    Decision.objects.all().delete()
    AgendaItem.objects.all().delete()
    Referral.objects.all().delete()
    Consent.objects.all().delete()
    CaseEvent.objects.filter(person__isnull=False).delete()
    Person.objects.all().delete()
    for model in (Participant, Referral, Consent, Person):
        model.history.all().delete()


@pytest.fixture
def cases_through_the_services(people):
    """This half-year's cases the way users make them: an exit to work with income after, a change
    of income, an employment, a transfer to Eksjö, a transfer called off, an exit the group decides
    while a transfer waits, a referral sent back, one the manager declines after the group could
    not agree, a withdrawn one, and a draft for someone already enrolled."""
    coach = people["coach.nassjo"]
    working, leaving, moving, staying, exiting = enrol(
        people, ("Alva", "Brandt"), ("Bo", "Ek"), ("Cilla", "Dahl"), ("Erik", "Gran"), ("Frida", "Holm")
    )
    factories.employ(coach, working, days_ago=0)
    participant_services.record_income(actor=coach, participant=working, source="salary", valid_from=today())
    participant_services.exit_participant(
        actor=coach,
        participant=leaving,
        exited_on=today(),
        reason="studies",
        occupation_after="studies",
        income_after="student_finance",
    )
    eksjo = factories.municipality("eksjo")
    for participant in (moving, staying, exiting):
        consent_to_transfer(people, participant)
    transfer = participant_services.start_transfer(actor=coach, participant=moving, to_municipality=eksjo)
    participant_services.accept_transfer(actor=people["coach.eksjo"], transfer=transfer)
    transfer = participant_services.start_transfer(actor=coach, participant=staying, to_municipality=eksjo)
    participant_services.cancel_transfer(actor=coach, transfer=transfer)
    participant_services.start_transfer(actor=coach, participant=exiting, to_municipality=eksjo)
    referral_services.withdraw_referral(actor=people["referrer.af"], referral=factories.make_referral(people))
    factories.make_referral(people, person=working.person, submit=False, consent=False)
    declined = factories.make_case(people, "David", "Falk")
    disputed = factories.make_case(people, "Gun", "Ivarsson")
    meeting = factories.make_meeting(people, days_ahead=20)
    exit_item = referral_services.add_agenda_item(
        actor=coach, meeting=meeting, referral=exiting.referral, kind=AgendaItem.Kind.PROPOSED_EXIT
    )
    disputed_item = factories.put_on_agenda(people, disputed, meeting, publish=False)
    item = factories.put_on_agenda(people, declined, meeting)
    _hold_today(meeting)
    factories.decide(people, item, Decision.Outcome.SEND_BACK)
    factories.decide(people, exit_item, Decision.Outcome.EXIT, exit_reason="work")
    escalated = referral_services.record_decision(
        actor=coach, item=disputed_item, group_agreed=False, disagreement="Gruppen är oenig om stödbehovet."
    )
    referral_services.decide_escalated(
        actor=people["chef.nassjo"],
        decision=escalated,
        outcome=Decision.Outcome.DECLINE,
        recommendation="Kontakta Arbetsförmedlingen.",
        grounds="Behovet möts bättre av en annan insats.",
        informs_person="Handläggaren på AF",
    )
    assert not Transfer.objects.filter(status=Transfer.Status.PENDING).exists()
    assert Referral.objects.get(pk=disputed.pk).status == Referral.Status.DECLINED


def test_the_report_gives_the_same_figures_after_the_purge(dataset, cases_through_the_services):  # noqa: F811
    before = all_reports()
    statistics_before = EnrolmentStatistic.objects.count(), ReferralStatistic.objects.count()
    nobody = {"woman": 0, "man": 0, "other": 0}
    for half_year in ("2026H1", "2026H2"):
        assert row_counts(before[(half_year, "")], "participants", "active_any") != nobody, "nothing to compare"
        assert row_counts(before[(half_year, "")], "referrals", "referrals") != nobody, "no referral to compare"

    purge_everything()

    assert not Participant.objects.exists() and not Person.objects.exists()
    assert (EnrolmentStatistic.objects.count(), ReferralStatistic.objects.count()) == statistics_before
    assert not EnrolmentStatistic.objects.filter(participant__isnull=False).exists()
    assert all_reports() == before


def test_a_refresh_after_the_purge_leaves_the_frozen_records_as_they_were(dataset, cases_through_the_services):  # noqa: F811
    before = all_reports()
    purge_everything()
    rows = [list(model.objects.order_by("pk").values()) for model in STATISTIC_MODELS]

    counts = refresh_all_statistics()

    assert (counts.enrolments.created, counts.enrolments.updated, counts.referrals.created) == (0, 0, 0)
    assert [list(model.objects.order_by("pk").values()) for model in STATISTIC_MODELS] == rows
    assert all_reports() == before


def test_the_half_year_figures_are_still_exact_after_the_purge(dataset):  # noqa: F811
    purge_everything()

    report = build_report(period_from_code("2026H1"))

    # The hand-counted figures of test_report_figures, now from the statistical records alone.
    assert counts(report, "participants", "Aktiva någon gång under perioden") == [3, 3, 0, 6]
    assert counts(report, "participants", "Beslut om inskrivning under perioden") == [2, 2, 1, 5]
    assert counts(report, "referrals", "Inte beslutad vid periodens slut") == [1, 0, 1, 2]
    assert counts(report, "referrals", "Totalt") == [2, 2, 1, 5]
    assert counts(report, "income_during", "Totalt") == [3, 2, 0, 5]
    assert report.median_months["total"] == Decimal("13.2")


# Refreshing


def test_a_second_refresh_changes_nothing(dataset, cases_through_the_services):  # noqa: F811
    rows = [list(model.objects.order_by("pk").values()) for model in STATISTIC_MODELS]

    counts = refresh_all_statistics()

    assert counts.enrolments.created == counts.enrolments.updated == 0
    assert counts.referrals.created == counts.referrals.updated == 0
    assert counts.enrolments.unchanged == Participant.objects.count()
    assert [list(model.objects.order_by("pk").values()) for model in STATISTIC_MODELS] == rows


def test_the_command_fills_missing_records_rewrites_stale_ones_and_reports_the_counts(people):
    (alva, bo) = enrol(people, ("Alva", "Brandt"), ("Bo", "Ek"))
    EnrolmentStatistic.objects.filter(participant=alva).delete()
    Participant.objects.filter(pk=bo.pk).update(decided_on=date(2026, 1, 5), started_on=date(2026, 1, 5))
    out = io.StringIO()

    call_command("refresh_statistics", stdout=out)

    assert statistic_of(alva).decided_on == today()
    assert statistic_of(bo).started_on == date(2026, 1, 5)
    assert "Inskrivningar: 1 skapade, 1 uppdaterade, 0 oförändrade." in out.getvalue()
    again = io.StringIO()
    call_command("refresh_statistics", stdout=again)
    assert "Inskrivningar: 0 skapade, 0 uppdaterade, 2 oförändrade." in again.getvalue()


def test_a_refresh_takes_the_same_number_of_queries_for_one_person_and_for_many(people):
    enrol(people, *[(f"Namn{number}", "Testsson") for number in range(6)])
    persons = list(Participant.objects.values_list("person_id", flat=True))
    EnrolmentStatistic.objects.all().delete()
    ReferralStatistic.objects.all().delete()

    with CaptureQueriesContext(connection) as one:
        refresh_statistics(persons=persons[:1])
    with CaptureQueriesContext(connection) as many:
        refresh_statistics(persons=persons[1:])

    assert len(one) == len(many)


@pytest.mark.django_db(transaction=True)
def test_the_data_migrations_fill_the_records_and_then_give_each_its_rounding_key(people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    EnrolmentStatistic.objects.all().delete()
    ReferralStatistic.objects.all().delete()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("reporting")
    MigrationExecutor(connection).migrate([("reporting", "0004_adopted_reports")])
    try:
        # reporting 0003 fills the records with its historical models, before the rounding keys exist.
        state = MigrationLoader(connection).project_state(("reporting", "0003_statistics_backfill"))
        refresh_all_statistics(apps=state.apps)
    finally:
        # reporting 0005 adds the keys: a person's from their person key, each referral a random one.
        MigrationExecutor(connection).migrate(latest)

    assert statistic_of(alva).decided_on == today()
    assert ReferralStatistic.objects.get(referral=alva.referral).outcome == "enrolled"
    assert incomes_of(alva) == [("before", "sickness_benefit", today())]
    assert statistic_of(alva).rounding_key == rounding_key_of(statistic_of(alva).person_key)


def test_a_referral_decided_long_ago_keeps_its_submission_time(people):
    referral = factories.make_referral(people)
    long_ago = timezone.now() - timedelta(days=400)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=long_ago)

    refresh_statistics(referrals=[referral.pk])

    assert ReferralStatistic.objects.get(referral=referral).submitted_at == long_ago
