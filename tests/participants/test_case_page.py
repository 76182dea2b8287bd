"""The case page built for the work: the header with what is due, each action on its own page (or
inline with htmx), the timeline, what changed, the income at enrolment corrected, SUS on the case
and several rows marked registered in SUS at once.

Nässjö's coach is the insider; Eksjö's coach holds the role but no grant, so Nässjö's participants
do not exist for them; the auditor reads what changed and nothing else.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from participants import services
from participants.case import CHANGES_PAGE_SIZE
from participants.models import IncomeRecord, JournalEntry, Participant
from referrals.models import IncomeSource
from sehoglandet.models import AccessLog, CaseEvent
from tests.helpers import (
    PERSONAS,
    body,
    messages_of,
    status_and_changed_tables,
    statuses_by_persona,
    swedish,
    today,
)

from .conftest import enrol, exit_directly


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"participants:{name}", args=[pk] if pk is not None else [])


def add_entries(participant: Participant, coach, count: int) -> None:
    for number in range(count):
        services.add_journal_entry(
            actor=coach, participant=participant, date=participant.decided_on, kind="phone", text=f"Samtal {number}"
        )


# The header


def test_the_header_shows_who_where_the_case_stands_and_the_sus_dates(client_for, participant):
    Participant.objects.filter(pk=participant.pk).update(sus_registered_on=participant.decided_on)

    response = client_for("coach.nassjo").get(url("participant_detail", participant.pk))

    header = body(response).split('id="timeline-heading"')[0]
    assert "Alva Brandt" in header
    assert participant.person.identity_display in header
    assert participant.municipality.name in header
    assert participant.decided_on.isoformat() in header


def test_the_header_lists_the_sus_registration_as_due_until_it_is_done(client_for, participant, people):
    client = client_for("coach.nassjo")

    due = client.get(url("participant_detail", participant.pk)).context["due"]
    services.mark_sus(actor=people["coach.nassjo"], participant=participant, registered=True, on=today())
    after = client.get(url("participant_detail", participant.pk)).context["due"]

    assert [item.kind for item in due] == ["sus_register"]
    assert after == []


def test_the_header_lists_what_is_due_for_this_case_only(client_for, people):
    """Both cases wait for their SUS registration; each header shows its own, not the other's."""
    alva, bo = enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"))
    client = client_for("coach.nassjo")
    services.mark_sus(actor=people["coach.nassjo"], participant=bo, registered=True, on=today())

    alvas = client.get(url("participant_detail", alva.pk)).context["due"]
    bos = client.get(url("participant_detail", bo.pk)).context["due"]

    assert [(item.kind, item.participant.pk) for item in alvas] == [("sus_register", alva.pk)]
    assert bos == []


def test_an_exited_participant_shows_the_date_to_de_register_in_sus_by(client_for, participant):
    Participant.objects.filter(pk=participant.pk).update(sus_registered_on=participant.decided_on)
    exit_directly(participant)

    text = body(client_for("coach.nassjo").get(url("participant_detail", participant.pk)))

    assert participant.sus_deregistration_due_on.isoformat() in text


# Actions: a button that opens the form on its own page


ACTION_PAGES = ["journal_entry_add", "step_change", "employment_add", "income_add", "income_before_correct"]


@pytest.mark.parametrize("name", ACTION_PAGES)
def test_each_action_page_is_the_teams_coachs_only(client_for, participant, name):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url(name, participant.pk)))

    assert statuses == {
        **dict.fromkeys(PERSONAS, 403),
        "coach.nassjo": 200,
        "coach.eksjo": 404,
    }


@pytest.mark.parametrize("name", [*ACTION_PAGES, "participant_exit", "coach_assign"])
def test_opening_an_action_page_changes_nothing_but_the_access_log(client_for, participant, name):
    client = client_for("coach.nassjo")

    status, changed = status_and_changed_tables(lambda client: client.get(url(name, participant.pk)), access_log=False)(
        client
    )

    assert status == 200
    assert changed == []


def test_the_journal_page_shows_the_form_that_keeps_a_draft(client_for, participant):
    text = body(client_for("coach.nassjo").get(url("journal_entry_add", participant.pk)))

    assert "data-keep-draft" in text
    assert 'name="text"' in text


def test_htmx_gets_the_form_alone_to_show_inline(client_for, participant):
    response = client_for("coach.nassjo").get(url("journal_entry_add", participant.pk), HTTP_HX_REQUEST="true")

    assert "<html" not in body(response)
    assert 'name="text"' in body(response)


def test_the_case_page_links_each_action_instead_of_showing_its_form(client_for, participant):
    text = body(client_for("coach.nassjo").get(url("participant_detail", participant.pk)))

    assert url("journal_entry_add", participant.pk) in text
    assert 'name="text"' not in text
    assert text.index(url("journal_entry_add", participant.pk)) < text.index('id="timeline-heading"')


def test_a_journal_entry_saved_from_its_page_goes_back_to_the_case(client_for, participant):
    client = client_for("coach.nassjo")

    response = client.post(
        url("journal_entry_add", participant.pk),
        {"date": today().isoformat(), "kind": "phone", "text": "Ringde Alva."},
    )

    assert response.status_code == 302
    assert response.url == url("participant_detail", participant.pk)
    assert JournalEntry.objects.get(participant=participant).text == "Ringde Alva."


def test_an_empty_journal_entry_is_refused_on_its_page_and_nothing_is_saved(client_for, participant):
    client = client_for("coach.nassjo")

    response = client.post(url("journal_entry_add", participant.pk), {"date": today().isoformat(), "kind": "phone"})

    assert response.status_code == 200
    assert response.templates[0].name == "participants/action.html"
    assert response.context["form"].errors["text"]
    assert not JournalEntry.objects.filter(participant=participant).exists()


def test_an_action_on_an_exited_participant_goes_back_to_the_case_with_a_message(client_for, participant):
    exit_directly(participant)
    client = client_for("coach.nassjo")

    response = client.get(url("income_add", participant.pk), follow=True)

    assert response.redirect_chain[-1][0] == url("participant_detail", participant.pk)
    assert messages_of(response)


# The timeline


def test_the_timeline_shows_journal_entries_and_events_and_filters_them(client_for, participant, people):
    add_entries(participant, people["coach.nassjo"], 2)
    client = client_for("coach.nassjo")

    everything = list(client.get(url("participant_detail", participant.pk)).context["page"])
    journal = list(client.get(url("participant_detail", participant.pk), {"kind": "journal"}).context["page"])
    events = list(client.get(url("participant_detail", participant.pk), {"kind": "events"}).context["page"])

    assert len(journal) == 2 and all(item.entry for item in journal)
    assert events and all(item.event for item in events)
    assert len(everything) == len(journal) + len(events)
    assert "participant.enrolled" in {item.event.code for item in events}


def test_the_timeline_leaves_out_the_persons_other_cases(client_for, participant, people):
    (other,) = enrol(people, ("Bo", "Cederholm"), municipality_code="eksjo")
    events = client_for("coach.nassjo").get(url("participant_detail", participant.pk), {"kind": "events"})

    record_ids = {(item.event.record_type, item.event.record_id) for item in events.context["page"]}
    assert ("participants.participant", str(other.pk)) not in record_ids


def test_the_manager_sees_the_events_but_not_the_journal(client_for, participant, people):
    add_entries(participant, people["coach.nassjo"], 1)

    page = client_for("chef.nassjo").get(url("participant_detail", participant.pk)).context["page"]

    assert page.object_list and all(item.event for item in page)
    assert "Samtal 0" not in body(client_for("chef.nassjo").get(url("participant_detail", participant.pk)))


def test_an_unknown_timeline_filter_shows_everything(client_for, participant):
    response = client_for("coach.nassjo").get(url("participant_detail", participant.pk), {"kind": "<script>"})

    assert response.status_code == 200
    assert list(response.context["page"])


def test_the_case_page_takes_the_same_queries_with_a_long_journal(
    client_for, participant, people, django_assert_max_num_queries
):
    client = client_for("coach.nassjo")
    add_entries(participant, people["coach.nassjo"], 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url("participant_detail", participant.pk))
    add_entries(participant, people["coach.nassjo"], 30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("participant_detail", participant.pk), {"page": "2"})

    assert len(response.context["page"].object_list) > 0
    assert len(many) == len(few)


# What changed


def test_what_changed_is_for_the_teams_coach_and_the_auditor(client_for, participant):
    statuses = statuses_by_persona(
        client_for, PERSONAS, lambda client: client.get(url("participant_changes", participant.pk))
    )

    assert statuses == {
        **dict.fromkeys(PERSONAS, 403),
        "coach.nassjo": 200,
        "auditor": 200,
        "coach.eksjo": 404,
    }


def test_what_changed_names_who_changed_what_with_swedish_labels_and_is_logged(client_for, participant, people):
    services.change_step(actor=people["coach.nassjo"], participant=participant, step=2, changed_on=today())
    client = client_for("auditor")
    logged = AccessLog.objects.count()

    response = client.get(url("participant_changes", participant.pk))

    text = body(response)
    assert swedish("Step changed") in text
    first = response.context["page"].object_list[0]
    assert first.who == (people["coach.nassjo"].get_full_name() or "coach.nassjo")
    assert any(field.after for field in first.fields)
    assert AccessLog.objects.count() == logged + 1


def test_what_changed_never_shows_the_words_of_an_exit_note(client_for, participant, people):
    services.exit_participant(
        actor=people["coach.nassjo"],
        participant=participant,
        exited_on=today(),
        reason="other_support",
        occupation_after="none",
        income_after="none",
        note="Hemligt om hälsan",
    )

    text = body(client_for("auditor").get(url("participant_changes", participant.pk)))

    assert "Hemligt om hälsan" not in text


def test_what_changed_pages_newest_first_and_a_bad_page_number_shows_a_page(client_for, participant, people):
    for step in (2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1):
        services.change_step(actor=people["coach.nassjo"], participant=participant, step=step, changed_on=today())
    client = client_for("coach.nassjo")

    pages = {number: client.get(url("participant_changes", participant.pk), {"page": number}) for number in ("1", "2")}

    first, second = (pages[number].context["page"] for number in ("1", "2"))
    total = first.paginator.count
    assert total > CHANGES_PAGE_SIZE
    assert len(first.object_list) == CHANGES_PAGE_SIZE
    assert len(second.object_list) == total - CHANGES_PAGE_SIZE
    times = [change.at for change in [*first.object_list, *second.object_list]]
    assert times == sorted(times, reverse=True)
    # The oldest change of all is the participant's creation, on the last page.
    assert second.object_list[-1].kind == "+"
    for number, shown in (("abc", 1), ("99", 2)):
        response = client.get(url("participant_changes", participant.pk), {"page": number})
        assert response.status_code == 200
        assert response.context["page"].number == shown


def test_what_changed_takes_the_same_queries_with_more_changes(client_for, participant, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("coach.nassjo")
    with CaptureQueriesContext(connection) as few:
        client.get(url("participant_changes", participant.pk))
    for step in (2, 3, 4):
        services.change_step(actor=people["coach.nassjo"], participant=participant, step=step, changed_on=today())
    with CaptureQueriesContext(connection) as many:
        client.get(url("participant_changes", participant.pk))

    assert len(many) == len(few)


# The income at enrolment


def test_the_coach_corrects_the_income_at_enrolment_with_a_reason_and_the_history_keeps_the_old_one(
    client_for, participant
):
    before = IncomeRecord.objects.get(participant=participant, phase=IncomeRecord.Phase.BEFORE)
    new_source = next(value for value in IncomeSource.values if value != before.source)

    response = client_for("coach.nassjo").post(
        url("income_before_correct", participant.pk), {"source": new_source, "reason": "Beslut från FK visar annat."}
    )

    before.refresh_from_db()
    assert response.status_code == 302
    assert before.source == new_source
    assert before.correction_reason == "Beslut från FK visar annat."
    history = list(before.history.order_by("history_date"))
    assert history[-2].source != new_source
    assert history[-1].history_change_reason == "income.before_corrected"
    assert CaseEvent.objects.filter(code="income.before_corrected", person=participant.person).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({"source": "salary", "reason": ""}, "reason"), ({"source": "", "reason": "Fel i remissen"}, "source")],
)
def test_a_correction_without_a_reason_or_an_income_is_refused_and_nothing_changes(
    client_for, participant, data, field
):
    client = client_for("coach.nassjo")

    status, changed = status_and_changed_tables(
        lambda client: client.post(url("income_before_correct", participant.pk), data), access_log=False
    )(client)

    assert status == 200
    assert changed == []


def test_correcting_to_the_same_income_says_so(client_for, participant):
    before = IncomeRecord.objects.get(participant=participant, phase=IncomeRecord.Phase.BEFORE)

    response = client_for("coach.nassjo").post(
        url("income_before_correct", participant.pk), {"source": before.source, "reason": "Samma"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["source"]


# SUS: several at once


def test_the_coach_marks_several_participants_registered_in_sus_at_once(client_for, people):
    alva, bo, cissi = enrol(people, ("Alva", "Brandt"), ("Bo", "Cederholm"), ("Cissi", "Dahl"))
    Participant.objects.filter(pk=cissi.pk).update(sus_registered_on=cissi.decided_on)
    client = client_for("coach.nassjo")

    response = client.post(
        url("sus_mark_many"),
        {"participants": [alva.pk, bo.pk, cissi.pk], "on": today().isoformat()},
        follow=True,
    )

    assert set(Participant.objects.filter(pk__in=[alva.pk, bo.pk]).values_list("sus_registered_on", flat=True)) == {
        today()
    }
    texts = messages_of(response)
    assert any("2" in text for text in texts)
    assert any("Cissi Dahl" in text for text in texts)
    assert CaseEvent.objects.filter(code="sus.registered").count() == 2


def test_marking_several_refuses_a_participant_of_another_municipality(client_for, people):
    (alva,) = enrol(people, ("Alva", "Brandt"))
    client = client_for("coach.eksjo")

    status, changed = status_and_changed_tables(
        lambda client: client.post(url("sus_mark_many"), {"participants": [alva.pk], "on": today().isoformat()}),
        access_log=False,
    )(client)

    assert status == 302
    assert changed == []


@pytest.mark.parametrize(
    "data",
    [
        {"on": "2026-01-01"},
        {"participants": ["x"], "on": "2026-01-01"},
        {"participants": ["99999999999999999999"]},
    ],
)
def test_marking_several_with_bad_input_changes_nothing(client_for, participant, data):
    client = client_for("coach.nassjo")

    status, changed = status_and_changed_tables(
        lambda client: client.post(url("sus_mark_many"), data), access_log=False
    )(client)

    assert status == 302
    assert changed == []


def test_a_date_in_the_future_marks_nobody(client_for, participant):
    client = client_for("coach.nassjo")
    tomorrow = (today() + timedelta(days=1)).isoformat()

    client.post(url("sus_mark_many"), {"participants": [participant.pk], "on": tomorrow})

    participant.refresh_from_db()
    assert participant.sus_registered_on is None


def test_marking_several_is_a_coachs_post_only(client_for, participant):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.post(url("sus_mark_many"), {}))

    assert statuses == {**dict.fromkeys(PERSONAS, 403), "coach.nassjo": 302, "coach.eksjo": 302}
