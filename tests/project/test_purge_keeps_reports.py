"""The retention purge deletes people's files, and past reports do not move: the figures come from
the anonymous statistical records (docs/domain.md#statistical-record, #retention)."""

from participants.models import Participant, add_months
from project import retention
from referrals.models import Decision, Referral
from reporting import disclosure
from reporting.models import EnrolmentStatistic, ReferralStatistic
from sehoglandet.models import Person
from sehoglandet.services import get_system_user
from tests.helpers import today
from tests.reporting.figures import all_reports, row_counts

from .cases import build_declined_case, build_full_case, build_participant


def this_half_year_and_year() -> tuple[str, str]:
    day = today()
    return f"{day.year}H{1 if day.month <= 6 else 2}", str(day.year)


def test_reports_give_the_same_figures_after_the_purge_as_before(people, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    build_full_case(people, "Greta", "Purgesson", gender=Person.Gender.WOMAN)
    build_participant(people, "Harald", "Utskriven", exit_today=True, gender=Person.Gender.MAN)
    build_declined_case(people, "Ines", "Avböjd", gender=Person.Gender.WOMAN)
    build_declined_case(people, "Jon", "Tillbaka", outcome=Decision.Outcome.SEND_BACK, gender=Person.Gender.MAN)
    kept = build_participant(people, "Karin", "Kvar", exit_today=False, gender=Person.Gender.WOMAN)
    monkeypatch.setattr(disclosure, "REACH", 0)
    periods = this_half_year_and_year()
    before = all_reports(periods)
    half_year = before[(periods[0], "")]
    assert row_counts(half_year, "participants", "decided") == {"woman": 2, "man": 1, "other": 0}, (
        "the half-year's report must count the decisions to enrol, or the comparison proves nothing"
    )
    # Three decided, a multiple of 3 and so (the rounding's reach switched off) shown as it is; under 10,
    # its split by gender is held back.
    assert half_year["shown"]["tables"]["participants"][1] == (
        "Beslut om inskrivning under perioden",
        ["för få", "för få", "för få", "3"],
    )

    run = retention.purge_expired(actor=get_system_user(), today=add_months(today(), 25))

    assert run.persons == 4
    assert list(Person.objects.all()) == [kept.person]
    assert list(Participant.objects.all()) == [kept.participant]
    assert list(Referral.objects.all()) == [kept.referral]
    assert all_reports(periods) == before


def test_the_purge_leaves_each_statistic_with_no_link_to_what_it_counted(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = build_full_case(people, "Lova", "Statistik")
    statistic = EnrolmentStatistic.objects.get(participant=case.participant)
    referral_statistic = ReferralStatistic.objects.get(referral=case.referral)

    retention.purge_expired(actor=get_system_user(), today=add_months(today(), 25))

    statistic.refresh_from_db()
    referral_statistic.refresh_from_db()
    assert statistic.participant_id is None
    assert referral_statistic.referral_id is None
    assert statistic.exited_on == today()
    assert statistic.incomes.exists()
