"""The coach's to-do list page and the referral group's follow-up summary.

The to-do list is for coaches and holds their own municipality only. The follow-up summary is for
the members of a referral group and shows a participant only to the seats whose organisation the
person's consent covers: status, step and the next follow-up, never the journal.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants import services
from participants.models import Participant
from referrals import services as referral_services
from referrals.models import AgendaItem, Decision, ExitReason
from sehoglandet.models import AccessLog
from tests import factories
from tests.helpers import COACHES, GROUP_MEMBERS, PERSONAS, body, every_row, statuses_by_persona, today

from .conftest import _hold_today, enrol, exit_directly
from .test_participant_views import url
from .test_todo import exited, participant_in

NOTE = "Alva berättade om sin oro inför arbetsträningen."


# The to-do list


def test_the_to_do_list_is_for_coaches(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url("todo_list")))

    assert statuses == {username: 200 if username in COACHES else 403 for username in PERSONAS}


def test_the_to_do_list_shows_what_is_due_with_the_overdue_marked_and_links(client_for, people):
    alva = participant_in(people, decided_on=today() - timedelta(days=10))
    bo = exited(people, today() - timedelta(days=3), ExitReason.MOVED, first_name="Bo", last_name="Cederholm")

    page = body(client_for("coach.nassjo").get(url("todo_list")))

    overdue = page[page.index('<h2 id="overdue-heading">') :]
    assert "Försenad" in overdue
    assert "Registrera i SUS" in overdue and "Avregistrera i SUS" in overdue
    assert f'href="{url("participant_detail", alva.pk)}">Alva Brandt</a>' in page
    assert f'href="{url("participant_detail", bo.pk)}">Bo Cederholm</a>' in page
    assert "Flyttat" in page
    assert (today() - timedelta(days=10)).isoformat() in page
    assert "Registrera i SUS: 1" in page and "Avregistrera i SUS: 1" in page
    assert page.index("Alva Brandt") < page.index("Bo Cederholm")


def test_an_item_due_later_is_not_marked_overdue(client_for, people):
    participant = participant_in(people)
    services.record_income(
        actor=people["coach.nassjo"],
        participant=participant,
        source="activity_compensation",
        valid_from=today() - timedelta(days=20),
        review_on=today() + timedelta(days=12),
    )
    services.mark_sus(actor=people["coach.nassjo"], participant=participant, registered=True, on=today())

    page = body(client_for("coach.nassjo").get(url("todo_list")))

    assert "I dag eller senare" in page
    assert "Försörjning att ompröva" in page and "Aktivitetsersättning" in page
    assert "Försenad" not in page


def test_another_municipalitys_coach_sees_none_of_it(client_for, people):
    participant_in(people, decided_on=today() - timedelta(days=10))

    page = body(client_for("coach.eksjo").get(url("todo_list")))

    assert "Alva Brandt" not in page
    assert "Just nu finns inget att göra." in page
    assert not AccessLog.objects.exists()


def test_the_to_do_list_logs_the_list_and_changes_no_row(client_for, people):
    participant_in(people, decided_on=today() - timedelta(days=10))
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    client.get(url("todo_list"))

    assert every_row(access_log=False) == before
    assert list(AccessLog.objects.values_list("user", "action", "object_type")) == [
        (people["coach.nassjo"].pk, "list", "participants.participant")
    ]


@pytest.mark.parametrize("scale", [1, 5])
def test_the_to_do_list_needs_the_same_number_of_queries_for_few_and_many(
    client_for, people, django_assert_num_queries, scale
):
    for i in range(scale):
        participant_in(people, "Deltagare", f"In{i}", decided_on=today() - timedelta(days=10))
        exited(people, today() - timedelta(days=3), ExitReason.MOVED, occupation_after="", last_name=f"Ut{i}")
    client = client_for("coach.nassjo")
    client.get(url("todo_list"))  # warms the process-wide caches (content types)

    with django_assert_num_queries(QUERIES_FOR_THE_TODO_LIST):
        response = client.get(url("todo_list"))

    assert sum(len(items) for items, _id, _heading in response.context["groups"]) == 3 * scale


# Session, user, the second-factor device, memberships (the role check), the coach's municipalities;
# every item's key (one query for every kind, counted in Python), the page's participants; the
# access-log row. (The session, renewed at sign-in, is not written again within the minute.)
QUERIES_FOR_THE_TODO_LIST = 7


def test_the_to_do_list_pages_by_50_and_counts_the_whole_list(client_for, people, monkeypatch):
    monkeypatch.setattr("participants.views.followup.TODO_PAGE_SIZE", 2)
    first = participant_in(people, "Deltagare", "Först", decided_on=today() - timedelta(days=12))
    second = participant_in(people, "Deltagare", "Andra", decided_on=today() - timedelta(days=11))
    third = participant_in(people, "Deltagare", "Tredje", decided_on=today() - timedelta(days=10))
    client = client_for("coach.nassjo")

    page_one = client.get(url("todo_list"))
    page_two = client.get(url("todo_list"), {"page": 2})

    def shown(response):
        return [item.participant for items, _id, _heading in response.context["groups"] for item in items]

    assert shown(page_one) == [first, second]
    assert shown(page_two) == [third]
    assert "Registrera i SUS: 3" in body(page_one)
    assert "Sida 1 av 2" in body(page_one)
    assert 'href="?page=2"' in body(page_one)


# The referral group's follow-up summary


def enrolled(people, first_name: str, last_name: str, *, consent=True) -> Participant:
    """Enrolled by Nässjö's group today; `consent` as in factories.make_referral."""
    meeting = factories.make_meeting(people)
    person = factories.make_person(people["referrer.af"], first_name=first_name, last_name=last_name)
    referral = factories.make_ready_referral(people, person=person, consent=consent)
    item = factories.put_on_agenda(people, referral, meeting)
    _hold_today(meeting)
    item.refresh_from_db()
    factories.decide(people, item)
    return Participant.objects.get(referral=referral)


def book_follow_up(people, participant: Participant, days: int) -> Decision:
    """The group puts the participant on a meeting held today and books a follow-up in `days` days."""
    coach = people["coach.nassjo"]
    meeting = factories.make_meeting(people)
    item = referral_services.add_agenda_item(
        actor=coach, meeting=meeting, referral=participant.referral, kind=AgendaItem.Kind.FOLLOW_UP
    )
    referral_services.publish_agenda(actor=coach, meeting=meeting)
    _hold_today(meeting)
    item.refresh_from_db()
    return factories.decide(people, item, Decision.Outcome.FOLLOW_UP, follow_up_on=today() + timedelta(days=days))


def test_the_follow_up_summary_is_for_referral_group_members(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url("followup_summary")))

    assert statuses == {username: 200 if username in GROUP_MEMBERS else 403 for username in PERSONAS}


def test_a_member_sees_reference_name_municipality_status_step_and_the_next_follow_up(client_for, people):
    alva = enrolled(people, "Alva", "Brandt")
    book_follow_up(people, alva, 21)
    services.change_step(actor=people["coach.nassjo"], participant=alva, step=3, changed_on=today())

    page = body(client_for("fk.nassjo").get(url("followup_summary")))

    assert alva.referral.reference in page
    assert "Alva Brandt" in page
    assert "Nässjö" in page
    assert "Aktiv" in page
    assert "3. Jobbsökande/hitta arbetsplats" in page
    assert (today() + timedelta(days=21)).isoformat() in page


def test_the_journal_and_the_coachs_notes_never_appear(client_for, people):
    alva = enrolled(people, "Alva", "Brandt")
    services.add_journal_entry(actor=people["coach.nassjo"], participant=alva, date=today(), kind="phone", text=NOTE)

    page = body(client_for("af.nassjo").get(url("followup_summary")))

    assert "Alva Brandt" in page
    assert NOTE not in page
    assert "Motiverad, vill arbeta inom handel." not in page
    assert url("participant_detail", alva.pk) not in page


def test_a_seat_the_consent_does_not_cover_sees_nothing(client_for, people):
    enrolled(people, "Alva", "Brandt", consent=["{m}-se", "af"])

    seen_by_af = body(client_for("af.nassjo").get(url("followup_summary")))
    seen_by_fk = body(client_for("fk.nassjo").get(url("followup_summary")))

    assert "Alva Brandt" in seen_by_af
    assert "Alva Brandt" not in seen_by_fk
    assert "Inga deltagare att följa upp i dina remittentgrupper." in seen_by_fk


def test_a_member_of_another_group_sees_none_of_them(client_for, people):
    alva = enrolled(people, "Alva", "Brandt")

    page = body(client_for("fk.eksjo").get(url("followup_summary")))

    assert "Alva Brandt" not in page
    assert alva.referral.reference not in page
    assert not AccessLog.objects.exists()


def test_exited_participants_leave_the_summary(client_for, people):
    alva = enrolled(people, "Alva", "Brandt")
    exit_directly(alva)

    assert "Alva Brandt" not in body(client_for("fk.nassjo").get(url("followup_summary")))


def test_the_summary_logs_the_list_and_changes_no_row(client_for, people):
    enrolled(people, "Alva", "Brandt")
    client = client_for("region.nassjo")
    before = every_row(access_log=False)

    client.get(url("followup_summary"))

    assert every_row(access_log=False) == before
    assert list(AccessLog.objects.values_list("user", "action", "object_type")) == [
        (people["region.nassjo"].pk, "list", "participants.participant")
    ]


def test_the_summary_pages_by_25_with_the_same_number_of_queries(client_for, people, django_assert_num_queries):
    (first,) = enrol(people, ("Deltagare", "Nummer00"))
    book_follow_up(people, first, 14)
    client = client_for("fk.nassjo")
    client.get(url("followup_summary"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("followup_summary"))
    enrol(people, *[("Deltagare", f"Nummer{n:02d}") for n in range(1, 27)])

    with django_assert_num_queries(len(one)):
        response = client.get(url("followup_summary"))

    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 27
    second = body(client.get(url("followup_summary"), {"page": 2}))
    assert "Sida 2 av 2" in second
