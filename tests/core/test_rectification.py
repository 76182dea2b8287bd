"""Correcting a person's identity and contact details (GDPR art. 16): who may, what is recorded, what
reaches the referrals' copies, and bad input refused in Swedish with nothing saved.

The person is referred by AF to Nässjö (a submitted referral), so Nässjö's SE team is responsible.
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from referrals.models import Referral
from sehoglandet import services
from sehoglandet.events import CoreEvent
from sehoglandet.models import CaseEvent, Person, PersonCorrection
from tests import factories
from tests.helpers import (
    PERSONAS,
    body,
    every_row,
    outcomes_by_persona,
    status_and_changed_tables,
    swedish,
)

REASON = "Förnamnet var felstavat; personen visade sitt id-kort."


@pytest.fixture
def referral(people) -> Referral:
    person = factories.make_person(people["referrer.af"], first_name="Ana", last_name="Berg")
    return factories.make_referral(people, person=person)


def url_of(person) -> str:
    return f"/personer/{person.pk}/rattelse/"


def form_data(person: Person, **changes) -> dict:
    """The form as it is shown (every field with its current value), with `changes` typed over it."""
    data = {
        "identity_number": person.identity_display if person.identity_number else "",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "gender": person.gender,
        "phone": person.phone,
        "email": person.email,
        "street_address": person.street_address,
        "postal_code": person.postal_code,
        "city": person.city,
        "municipality": person.municipality_id or "",
        "reason": REASON,
    }
    if person.protected_identity:
        data["protected_identity"] = "on"
    data.update(changes)
    return data


def test_the_responsible_coach_corrects_a_misspelt_name_with_the_reason(people, referral):
    person = referral.person

    correction = services.correct_person(
        actor=people["coach.nassjo"], person=person, changes={"first_name": "Anna"}, reason=REASON
    )

    person.refresh_from_db()
    assert person.first_name == "Anna"
    assert (correction.fields, correction.reason, correction.corrected_by) == (
        ["first_name"],
        REASON,
        people["coach.nassjo"],
    )
    event = CaseEvent.objects.filter(code=CoreEvent.PERSON_CORRECTED).get()
    assert (event.person_id, event.payload) == (person.pk, {"fields": ["first_name"]})
    assert REASON not in str(event.payload)
    latest = person.history.order_by("-history_id").first()
    assert (latest.history_change_reason, latest.history_user) == ("person.corrected", people["coach.nassjo"])
    assert correction.history.count() == 1


def test_the_event_code_is_the_one_other_apps_subscribe_to():
    assert CoreEvent.PERSON_CORRECTED == "person.corrected"


def test_an_open_referral_takes_the_correction_of_what_its_writer_typed(people, referral):
    services.correct_person(
        actor=people["coach.nassjo"],
        person=referral.person,
        changes={"first_name": "Anna", "phone": "070-123 45 67"},
        reason=REASON,
    )

    referral.refresh_from_db()
    assert referral.first_name == "Anna"
    # the writer never typed a phone number: the registry's new one does not reach them
    assert referral.phone == ""


def test_a_referral_that_is_no_longer_open_keeps_what_its_writer_typed(people, referral):
    from referrals import services as referral_services

    referral_services.withdraw_referral(actor=people["referrer.af"], referral=referral)

    services.correct_person(
        actor=people["coach.nassjo"], person=referral.person, changes={"first_name": "Anna"}, reason=REASON
    )

    referral.refresh_from_db()
    assert referral.first_name == "Ana"


def test_for_a_protected_identity_only_the_protection_reaches_the_referral(people, referral):
    services.correct_person(
        actor=people["coach.nassjo"],
        person=referral.person,
        changes={"first_name": "Anna", "protected_identity": True},
        reason=REASON,
    )

    referral.refresh_from_db()
    assert (referral.first_name, referral.protected_identity) == ("Ana", True)


def test_a_new_number_brings_its_birth_date_and_kind(people, referral):
    number = factories.valid_personnummer(date(1990, 2, 3), 871)

    services.correct_person(
        actor=people["coach.nassjo"], person=referral.person, changes={"identity_number": number}, reason=REASON
    )

    person = Person.objects.get(pk=referral.person_id)
    assert (person.identity_display, person.birth_date) == (number, date(1990, 2, 3))
    assert CaseEvent.objects.get(code=CoreEvent.PERSON_CORRECTED).payload == {
        "fields": ["identity_number", "birth_date"]
    }


@pytest.mark.parametrize("username", ["coach.eksjo", "referrer.af", "chef.nassjo", "fk.nassjo", "auditor"])
def test_no_one_else_may_correct(people, referral, username):
    with pytest.raises(PermissionDenied):
        services.correct_person(actor=people[username], person=referral.person, changes={"first_name": "X"}, reason="R")


def test_the_administrator_may_not_correct_a_person_with_protected_identity(people, referral):
    services.correct_person(
        actor=people["coach.nassjo"], person=referral.person, changes={"protected_identity": True}, reason=REASON
    )

    with pytest.raises(PermissionDenied):
        services.correct_person(actor=people["admin"], person=referral.person, changes={"first_name": "X"}, reason="R")


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason_is_refused(people, referral, reason):
    with pytest.raises(ValidationError):
        services.correct_person(
            actor=people["coach.nassjo"], person=referral.person, changes={"first_name": "Anna"}, reason=reason
        )
    assert not PersonCorrection.objects.exists()


def test_a_correction_that_changes_nothing_is_refused(people, referral):
    with pytest.raises(ValidationError):
        services.correct_person(
            actor=people["coach.nassjo"], person=referral.person, changes={"first_name": "Ana"}, reason=REASON
        )


# The page


def test_the_page_opens_to_the_responsible_coach_and_the_administrator_only(client_for, referral):
    outcomes = outcomes_by_persona(
        client_for, PERSONAS, status_and_changed_tables(lambda c: c.get(url_of(referral.person)), access_log=False)
    )

    assert outcomes == {
        username: (200 if username in ("coach.nassjo", "admin") else 404 if username == "coach.eksjo" else 403, [])
        for username in PERSONAS
    }


def test_the_form_shows_the_current_values(client_for, referral):
    page = body(client_for("coach.nassjo").get(url_of(referral.person)))

    assert 'value="Ana"' in page and f'value="{referral.person.identity_display}"' in page


def test_the_coach_corrects_through_the_form_and_sees_it_listed(client_for, referral):
    response = client_for("coach.nassjo").post(
        url_of(referral.person), form_data(referral.person, first_name="Anna"), follow=True
    )

    referral.person.refresh_from_db()
    assert referral.person.first_name == "Anna"
    assert REASON in body(response)
    assert len(response.context["messages"]) == 1


def _refused(client_for, person, **changes):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)
    response = client.post(url_of(person), form_data(person, **changes))
    assert response.status_code == 200
    assert every_row(access_log=False) == before
    return response


def test_an_empty_reason_is_refused_on_the_form_and_nothing_is_saved(client_for, referral):
    response = _refused(client_for, referral.person, first_name="Anna", reason="")

    assert response.context["form"].errors["reason"]


def test_an_invalid_number_is_refused_in_swedish_and_nothing_is_saved(client_for, referral):
    number = factories.valid_personnummer(date(1990, 2, 3), 871)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)

    response = _refused(client_for, referral.person, identity_number=wrong)

    assert swedish("The last digit does not match: check the number for a typing error.") in body(response)


def test_the_number_of_another_person_is_refused_and_nothing_is_saved(client_for, people, referral):
    other = factories.make_person(people["referrer.af"], first_name="Bo", last_name="Ek")

    response = _refused(client_for, referral.person, identity_number=other.identity_display)

    assert response.context["form"].errors["identity_number"] == [str(services.ANOTHER_PERSONS_NUMBER)]


def test_a_get_changes_nothing_but_the_access_log(client_for, referral):
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    client.get(url_of(referral.person))

    assert every_row(access_log=False) == before


def test_the_administrator_finds_the_person_by_number_and_gets_the_links(client_for, referral):
    response = client_for("admin").post("/registerutdrag/", {"identity": referral.person.identity_display})

    assert f"/personer/{referral.person_id}/registerutdrag.pdf" in body(response)
    assert f"/personer/{referral.person_id}/rattelse/" in body(response)


def test_the_administrator_is_told_when_no_one_has_the_number(client_for):
    response = client_for("admin").post(
        "/registerutdrag/", {"identity": factories.valid_personnummer(date(1961, 1, 1), 3)}
    )

    assert response.context["searched"] and response.context["person"] is None
