"""Every true figure of the 2026 H1 report, against values computed by hand from a known dataset
(docs/domain.md#report-definitions). What the reader sees of them, rounded, is tested in
test_disclosure.py.

The dataset holds the edge cases: a person enrolled twice (exited in February, back in May), an
exit on the period's last day, a transfer from Nässjö to Eksjö on 1 April, a person who does not
state their gender, a 29-year-old who turns 30 while taking part, someone in the queue who never
started, a referral decided after the period, and people outside the period on both sides.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from participants.models import Employment, IncomeRecord, MunicipalityPeriod, Participant
from referrals.models import DECISION_RESULTS, Decision, Referral
from reporting.report import EXIT_GOAL, build_report, period_from_code
from reporting.services import refresh_all_statistics
from sehoglandet.models import CaseEvent
from tests import factories

H1 = period_from_code("2026H1")


def enrol(
    people,
    person,
    *,
    decided: date,
    started: date | None = None,
    exited: date | None = None,
    reason: str = "",
    occupation: str = "",
    municipality: str = "nassjo",
    income: str | None = None,
) -> Participant:
    """An enrolment written straight to the tables: the report reads records, it changes none."""
    status = "exited" if exited else "active" if started else "queued"
    participant = Participant.objects.create(
        person=person,
        municipality=factories.municipality(municipality),
        status=status,
        decided_on=decided,
        started_on=started,
        exited_on=exited,
        exit_reason=reason,
        occupation_after=occupation,
        age_at_decision=person.age_on(decided),
    )
    MunicipalityPeriod.objects.create(
        participant=participant, municipality=participant.municipality, moved_in_on=decided
    )
    if income:
        income_record(people, participant, "before", income, decided)
    return participant


def income_record(people, participant, phase: str, source: str, valid_from: date) -> None:
    IncomeRecord.objects.create(
        participant=participant,
        phase=phase,
        source=source,
        valid_from=valid_from,
        recorded_by=people["coach.nassjo"],
    )


def person(people, first: str, gender: str, birth: date):
    return factories.make_person(people["coach.nassjo"], first_name=first, gender=gender, birth=birth)


@pytest.fixture
def dataset(people):
    coach = people["coach.nassjo"]
    anna = enrol(
        people,
        person(people, "Anna", "woman", date(1980, 1, 1)),
        decided=date(2025, 10, 1),
        started=date(2025, 10, 1),
        income="unemployment_insurance",
    )
    income_record(people, anna, "during", "salary", date(2026, 3, 1))

    bo = enrol(
        people,
        person(people, "Bo", "man", date(1985, 6, 1)),
        decided=date(2026, 2, 1),
        started=date(2026, 2, 1),
        exited=date(2026, 6, 30),
        reason="work",
        occupation="work",
        income="activity_support",
    )
    income_record(people, bo, "after", "salary", date(2026, 6, 30))

    enrol(
        people, person(people, "Cleo", "other", date(2000, 5, 5)), decided=date(2026, 3, 1), income="social_assistance"
    )

    dan = enrol(
        people,
        person(people, "Dan", "man", date(1975, 2, 2)),
        decided=date(2025, 12, 1),
        started=date(2025, 12, 1),
        income="sickness_compensation",
    )
    MunicipalityPeriod.objects.filter(participant=dan).update(moved_out_on=date(2026, 4, 1))
    MunicipalityPeriod.objects.create(
        participant=dan, municipality=factories.municipality("eksjo"), moved_in_on=date(2026, 4, 1)
    )
    Participant.objects.filter(pk=dan.pk).update(municipality=factories.municipality("eksjo"))

    eva = person(people, "Eva", "woman", date(1990, 8, 8))
    enrol(
        people,
        eva,
        decided=date(2024, 5, 1),
        started=date(2024, 5, 1),
        exited=date(2026, 2, 15),
        reason="lack_of_motivation",
    )
    enrol(people, eva, decided=date(2026, 5, 15), started=date(2026, 5, 15), income="sickness_benefit")

    enrol(
        people,
        person(people, "Filip", "man", date(1996, 3, 10)),
        decided=date(2026, 2, 1),
        started=date(2026, 2, 1),
        income="activity_support",
    )

    gun = enrol(
        people,
        person(people, "Gun", "woman", date(2003, 9, 9)),
        decided=date(2026, 1, 10),
        started=date(2026, 1, 10),
        municipality="eksjo",
        income="activity_compensation",
    )
    Employment.objects.create(
        participant=gun,
        employer="Eksjö Mekaniska",
        kind="employment",
        starts_on=date(2026, 4, 1),
        hours_per_week=30,
        created_by=people["coach.eksjo"],
    )

    enrol(
        people,
        person(people, "Hans", "man", date(1970, 7, 7)),
        decided=date(2025, 6, 1),
        started=date(2025, 6, 1),
        exited=date(2025, 12, 31),
        reason="studies",
    )
    enrol(people, person(people, "Ida", "woman", date(1999, 9, 9)), decided=date(2026, 7, 1))

    def moment(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))

    def referral(gender: str, status: str, submitted: date, outcome_on: date | None = None):
        made = factories.make_referral(people, person=person(people, "R", gender, date(1991, 1, 1)))
        decided = outcome_on if status != Referral.Status.WITHDRAWN else None
        Referral.objects.filter(pk=made.pk).update(
            status=status, submitted_at=moment(submitted), decided_at=moment(decided) if decided else None
        )
        if status == Referral.Status.WITHDRAWN:
            CaseEvent.objects.create(
                code="referral.withdrawn",
                actor=people["referrer.af"],
                person=made.person,
                record_type="referrals.referral",
                record_id=str(made.pk),
                occurred_at=moment(outcome_on),
            )

    referral("woman", Referral.Status.ENROLLED, date(2026, 1, 15), date(2026, 2, 10))
    referral("man", Referral.Status.DECLINED, date(2026, 3, 3), date(2026, 4, 14))
    referral("man", Referral.Status.WITHDRAWN, date(2026, 6, 30), date(2026, 6, 30))
    referral("other", Referral.Status.SUBMITTED, date(2026, 4, 4))
    # Declined in July: at the end of H1 it was not yet decided.
    referral("woman", Referral.Status.DECLINED, date(2026, 6, 1), date(2026, 7, 6))
    referral("woman", Referral.Status.DECLINED, date(2025, 12, 31), date(2026, 1, 20))
    del coach
    # Written straight to the tables, outside the services: refresh the statistical records the
    # report reads, as `manage.py refresh_statistics` does for such data (docs/domain.md#statistical-record).
    refresh_all_statistics()


def counts(report, table: str, label: str) -> list[int]:
    """Women, men, other or not stated, total: the true values behind the published cells."""
    row = report.table(table).row(label)
    return [*row.counts.values(), row.total]


@pytest.fixture
def report(dataset):
    return build_report(H1)


def test_the_participants_in_the_period(report):
    assert counts(report, "participants", "Aktiva någon gång under perioden") == [3, 3, 0, 6]
    # Cleo was decided on and waits in the queue: decided, never started.
    assert counts(report, "participants", "Beslut om inskrivning under perioden") == [2, 2, 1, 5]
    assert counts(report, "participants", "Startade under perioden") == [2, 2, 0, 4]
    assert counts(report, "participants", "Aktiva vid periodens slut") == [3, 2, 0, 5]
    assert counts(report, "participants", "Varav i efterstöd vid slutet") == [1, 0, 0, 1]
    assert counts(report, "participants", "I kö vid periodens slut") == [0, 0, 1, 1]
    # Anna's income changed to salary on 1 March.
    assert counts(report, "participants", "Ändrad försörjning under perioden") == [1, 0, 0, 1]
    assert counts(report, "participants", "Avslutade under perioden") == [1, 1, 0, 2]


def test_exits_by_reason_and_the_35_percent_goal(report):
    assert counts(report, "exits", "Arbete") == [0, 1, 0, 1]
    assert counts(report, "exits", "Bristande motivation") == [1, 0, 0, 1]
    assert counts(report, "exits", "Studier") == [0, 0, 0, 0]
    assert counts(report, "exits", "Totalt") == [1, 1, 0, 2]
    assert report.exit_goal.of() == Decimal("0.500")
    assert report.exit_goal.of("man") == Decimal("1.000")
    assert report.exit_goal.of("woman") == Decimal("0.000")
    assert report.exit_goal.of() >= EXIT_GOAL


def test_age_at_enrolment_counts_the_age_at_the_decision_of_those_who_started(report):
    # Filip was 29 at the decision and turned 30 in March: he counts as young. Cleo never started.
    assert counts(report, "ages", "18–29 år") == [1, 1, 0, 2]
    assert counts(report, "ages", "30–64 år") == [1, 1, 0, 2]
    assert counts(report, "ages", "Andra åldrar") == [0, 0, 0, 0]
    assert report.youth_share.of() == Decimal("0.500")


def test_referrals_received_in_the_period_by_outcome_at_its_end(report):
    # A declined referral is counted under the decision's one wording, "Avböjd" (issue 14, point 4).
    assert counts(report, "referrals", str(DECISION_RESULTS[Decision.Outcome.ENROL])) == [1, 0, 0, 1]
    assert counts(report, "referrals", str(DECISION_RESULTS[Decision.Outcome.DECLINE])) == [0, 1, 0, 1]
    assert counts(report, "referrals", "Återkallad") == [0, 1, 0, 1]
    # The one still open, and the one declined in July.
    assert counts(report, "referrals", "Inte beslutad vid periodens slut") == [1, 0, 1, 2]
    assert counts(report, "referrals", "Totalt") == [2, 2, 1, 5]


def test_a_referral_decided_after_the_period_counts_as_decided_in_the_year(dataset):
    year = build_report(period_from_code("2026"))
    assert counts(year, "referrals", str(DECISION_RESULTS[Decision.Outcome.DECLINE])) == [1, 1, 0, 2]
    assert counts(year, "referrals", "Inte beslutad vid periodens slut") == [0, 0, 1, 1]


def test_income_at_enrolment_at_the_end_and_after(report):
    assert counts(report, "income_before", "Aktivitetsstöd eller etableringsersättning") == [0, 2, 0, 2]
    assert counts(report, "income_before", "Sjukpenning") == [1, 0, 0, 1]
    assert counts(report, "income_before", "Aktivitetsersättning") == [1, 0, 0, 1]
    assert counts(report, "income_before", "Försörjningsstöd") == [0, 0, 0, 0]
    assert counts(report, "income_before", "Totalt") == [2, 2, 0, 4]
    # At the end: the income in force on 30 June of those active then (Bo exited on 30 June).
    assert counts(report, "income_during", "Lön") == [1, 0, 0, 1]
    assert counts(report, "income_during", "Aktivitetsstöd eller etableringsersättning") == [0, 1, 0, 1]
    assert counts(report, "income_during", "Sjukersättning") == [0, 1, 0, 1]
    assert counts(report, "income_during", "Sjukpenning") == [1, 0, 0, 1]
    assert counts(report, "income_during", "Aktivitetsersättning") == [1, 0, 0, 1]
    assert counts(report, "income_during", "Totalt") == [3, 2, 0, 5]
    assert counts(report, "income_after", "Lön") == [0, 1, 0, 1]
    assert counts(report, "income_after", "Inte registrerad") == [1, 0, 0, 1]


def test_occupation_after_exit(report):
    assert counts(report, "occupation_after", "Arbete utan stöd") == [0, 1, 0, 1]
    assert counts(report, "occupation_after", "Inte registrerad") == [1, 0, 0, 1]


def test_the_median_time_in_the_service_of_those_who_exited(report):
    # Bo: 1 Feb – 30 Jun, 149 days = 4.9 months; Eva: 1 May 2024 – 15 Feb 2026, 655 days = 21.5 months.
    assert report.median_months["man"] == Decimal("4.9")
    assert report.median_months["woman"] == Decimal("21.5")
    assert report.median_months["other"] is None
    assert report.median_months["total"] == Decimal("13.2")


def test_caseload_per_municipality_at_the_end_counts_the_transfer_in_eksjo(report):
    caseload = {row["municipality"]: (row["active"], row["capacity"]) for row in report.caseload}
    assert caseload["Nässjö"] == (3, 36)
    assert caseload["Eksjö"] == (2, 30)


def test_a_municipality_counts_each_participant_where_they_belonged_on_the_date(dataset):
    nassjo = build_report(H1, municipality=factories.municipality("nassjo"))
    eksjo = build_report(H1, municipality=factories.municipality("eksjo"))

    # Dan moved to Eksjö on 1 April: his last active day in the period was in Eksjö.
    assert counts(nassjo, "participants", "Aktiva någon gång under perioden") == [2, 2, 0, 4]
    assert counts(eksjo, "participants", "Aktiva någon gång under perioden") == [1, 1, 0, 2]
    assert counts(nassjo, "participants", "Beslut om inskrivning under perioden") == [1, 2, 1, 4]
    assert counts(eksjo, "participants", "Beslut om inskrivning under perioden") == [1, 0, 0, 1]
    assert counts(nassjo, "participants", "Avslutade under perioden") == [1, 1, 0, 2]
    assert counts(eksjo, "participants", "Avslutade under perioden") == [0, 0, 0, 0]


def test_a_municipality_sees_health_data_only_in_groups(dataset):
    nassjo = build_report(H1, municipality=factories.municipality("nassjo"))

    labels = [row.label for row in nassjo.table("exits").rows]
    assert labels == ["Arbete eller studier", "Andra orsaker", "Inte registrerad", "Totalt"]
    assert counts(nassjo, "exits", "Arbete eller studier") == [0, 1, 0, 1]
    assert counts(nassjo, "exits", "Andra orsaker") == [1, 0, 0, 1]
    assert nassjo.exit_goal.of() == Decimal("0.500")
    labels = [row.label for row in nassjo.table("income_before").rows]
    assert "Sjukpenning" not in labels
    assert counts(nassjo, "income_before", "Ersättning, bidrag eller stöd") == [1, 2, 0, 3]
    occupations = [row.label for row in nassjo.table("occupation_after").rows]
    assert "Sjukskrivning eller sjukersättning" not in occupations
    assert counts(nassjo, "occupation_after", "Arbete, med eller utan stöd") == [0, 1, 0, 1]


def test_the_survey_is_reported_for_all_municipalities_only(dataset):
    assert build_report(H1).survey is not None
    assert build_report(H1, municipality=factories.municipality("nassjo")).survey is None


def test_a_person_who_exits_twice_in_the_period_counts_once(people):
    twice = person(people, "Tove", "woman", date(1988, 4, 4))
    enrol(people, twice, decided=date(2026, 1, 5), started=date(2026, 1, 5), exited=date(2026, 2, 1), reason="moved")
    enrol(people, twice, decided=date(2026, 3, 2), started=date(2026, 3, 2), exited=date(2026, 5, 4), reason="work")
    refresh_all_statistics()

    report = build_report(H1)

    assert counts(report, "participants", "Beslut om inskrivning under perioden") == [1, 0, 0, 1]
    assert counts(report, "participants", "Startade under perioden") == [1, 0, 0, 1]
    assert counts(report, "participants", "Avslutade under perioden") == [1, 0, 0, 1]
    # By the last exit: to work.
    assert counts(report, "exits", "Arbete") == [1, 0, 0, 1]
    assert counts(report, "exits", "Flyttat") == [0, 0, 0, 0]
    assert report.exit_goal.of() == Decimal("1.000")


def test_the_second_half_year_and_the_year(dataset):
    year = build_report(period_from_code("2026"))

    # Ida, decided on 1 July, is decided on in the year and in the queue at its end.
    assert counts(year, "participants", "Beslut om inskrivning under perioden") == [3, 2, 1, 6]
    assert counts(year, "participants", "I kö vid periodens slut") == [1, 0, 1, 2]


@pytest.mark.parametrize("code", ["2026H3", "26H1", "H1", "2026-01", ""])
def test_an_unknown_period_code_is_refused_in_swedish(code):
    with pytest.raises(ValidationError, match="Okänd period"):
        period_from_code(code)
