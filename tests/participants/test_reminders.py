"""The daily reminder e-mail: one per coach with something due, counts and a link, never a name."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from participants.models import ReminderDelivery
from referrals.models import ExitReason
from sehoglandet.models import CaseEvent
from tests.helpers import today

from .test_todo import exited, participant_in


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def due(people):
    """Two Nässjö participants to register in SUS and one to de-register after moving away."""
    return [
        participant_in(people, "Alva", "Brandt", decided_on=today() - timedelta(days=10)),
        participant_in(people, "Bo", "Cederholm", decided_on=today() - timedelta(days=8)),
        exited(people, today() - timedelta(days=2), ExitReason.MOVED, first_name="Cia", last_name="Dahl"),
    ]


def test_each_coach_with_something_due_gets_one_e_mail_with_counts_and_a_link(people, due):
    output = run()

    assert [message.to for message in mail.outbox] == [[people["coach.nassjo"].email]]
    message = mail.outbox[0]
    assert message.subject == "SE-Höglandet: 3 saker på din att göra-lista"
    assert "Registrera i SUS: 2" in message.body
    assert "Avregistrera i SUS: 1" in message.body
    assert settings.SITE_URL.rstrip("/") + reverse("participants:todo_list") in message.body
    assert "Påminnelser skickade till 1 coacher." in output


def test_the_e_mail_holds_no_personal_data(people, due):
    run()

    message = mail.outbox[0]
    text = message.subject + message.body
    for participant in due:
        person = participant.person
        assert person.first_name not in text
        assert person.last_name not in text
        assert person.identity_number not in text
        assert person.identity_display not in text
    assert "Flyttat" not in text


def test_coaches_with_nothing_due_without_an_address_or_inactive_get_nothing(people, due):
    participant_in(people, municipality_code="eksjo", sus_registered_on=today())
    nassjo = people["coach.nassjo"]
    nassjo.email = ""
    nassjo.save(update_fields=["email"])

    output = run()

    assert mail.outbox == []
    assert "Påminnelser skickade till 0 coacher." in output


def test_an_inactive_coach_gets_nothing(people, due):
    coach = people["coach.nassjo"]
    coach.is_active = False
    coach.save(update_fields=["is_active"])

    run()

    assert mail.outbox == []


def test_a_dry_run_lists_who_would_get_how_many_and_sends_nothing(people, due):
    output = run("--dry-run")

    assert mail.outbox == []
    assert "coach.nassjo <coach.nassjo@example.se>: 3 att göra" in output
    assert "coach.eksjo" not in output
    assert "Provkörning: ingen e-post skickades." in output


def test_the_date_option_computes_the_list_for_that_day(people):
    participant_in(people, sus_registered_on=today() - timedelta(days=100))

    run("--date", "2025-10-06")
    run("--date", "2025-09-30")

    assert len(mail.outbox) == 1
    assert "Erbjud indikatorenkäten: 1" in mail.outbox[0].body
    assert mail.outbox[0].subject == "SE-Höglandet: 1 sak på din att göra-lista"


@pytest.mark.parametrize("value", ["6/10/2025", "2025-13-01", "i morgon"])
def test_a_bad_date_is_refused_in_swedish(people, due, value):
    with pytest.raises(CommandError) as refused:
        run("--date", value)

    assert str(refused.value) == f"{value} är inte ett datum: skriv det som ÅÅÅÅ-MM-DD, till exempel 2025-10-01."
    assert mail.outbox == []


def test_running_the_job_twice_in_a_day_sends_no_second_e_mail(people, due):
    run()
    second = run()

    assert len(mail.outbox) == 1
    assert "1 coach hade redan fått dagens påminnelse och fick ingen till." in second
    assert "Påminnelser skickade till 0 coacher." in second
    delivery = ReminderDelivery.objects.get()
    assert (delivery.coach, delivery.day, delivery.items) == (people["coach.nassjo"], today(), 3)


def test_the_next_day_the_coach_is_reminded_again(people, due):
    run("--date", (today() - timedelta(days=1)).isoformat())
    run()

    assert len(mail.outbox) == 2


def test_a_dry_run_records_nothing_so_the_real_run_still_sends(people, due):
    run("--dry-run")
    run()

    assert len(mail.outbox) == 1


def test_an_e_mail_that_fails_to_go_is_not_recorded_so_a_rerun_sends_it(people, due, monkeypatch):
    def refuse(self, messages):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(CommandError) as failed:
        run()
    assert str(failed.value) == (
        "E-posten till coach.nassjo kunde inte skickas (SMTP server unreachable). 0 coacher fick sin "
        "påminnelse; kör jobbet igen för att skicka resten."
    )
    assert ReminderDelivery.objects.count() == 0
    assert not CaseEvent.objects.filter(code="reminder.sent").exists()

    monkeypatch.undo()
    run()

    assert len(mail.outbox) == 1
    assert CaseEvent.objects.filter(code="reminder.sent").count() == 1
