"""The referral pages: list, new referral, the referral page per role, change, submit, withdraw and
individual decisions.

Nässjö's coach and AF's referrer are the insiders; Eksjö's coach and FK member are outsiders who
hold the right role but no grant, so Nässjö's referrals do not exist for them.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from consent.models import Consent
from referrals import services
from referrals.models import AgencyDecision, Referral
from sehoglandet import services as core_services
from sehoglandet.models import AccessLog, Person, Role
from tests.factories import (
    give_consent,
    make_meeting,
    make_person,
    make_ready_referral,
    make_referral,
    municipality,
    org,
    put_on_agenda,
)
from tests.helpers import (
    COACHES,
    MOST_QUERIES_A_PAGE,
    NASSJO_MEMBERS,
    OUTSIDERS,
    PERSONAS,
    decision_result,
    every_row,
    outcomes_by_persona,
    shows,
    status_and_changed_tables,
    statuses_by_persona,
)

NOTES = "Motiverad, vill arbeta inom handel."


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"referrals:{name}", args=[pk] if pk is not None else [])


def form_url(name: str, referral: Referral) -> str:
    """A form the referral page links to; the consent form is the referral's person's."""
    if name == "consent_create":
        return reverse("consent:consent_create", args=[referral.person_id])
    return url(name, referral.pk)


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def on_agenda(people) -> Referral:
    """A ready referral on a published agenda: the members whose organisation the consent covers
    (all four by default) can read it."""
    referral = make_ready_referral(people)
    put_on_agenda(people, referral, make_meeting(people))
    referral.refresh_from_db()
    return referral


def referral_data(**overrides) -> dict:
    data = {
        "identity_number": "811228-9874",
        "first_name": "Nora",
        "last_name": "Nilsson",
        "gender": "woman",
        "phone": "070-123 45 67",
        "email": "nora@example.se",
        "street_address": "Storgatan 1",
        "postal_code": "571 31",
        "city": "Nässjö",
        "residence": municipality("nassjo").pk,
        "municipality": municipality("nassjo").pk,
        "referring_organisation": org("af").pk,
        "grounds": ["ground_mental_ill_health"],
        "active_at": [org("af").pk, org("fk").pk],
        "income_source": "sickness_benefit",
        "motivation": "Jag vill jobba i butik.",
        "question": "Kan SE-Höglandet hjälpa Nora till arbete?",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Who may open which page


def test_the_referral_list_is_for_referrers_and_coaches(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url("referral_list")))

    assert statuses == {username: 200 if username in ["referrer.af", *COACHES] else 403 for username in PERSONAS}


def _everyone_else_403(statuses: dict[str, int]) -> dict[str, int]:
    return {**dict.fromkeys(PERSONAS, 403), **statuses}


REFERRAL_PAGES = {
    # The team, the referrer and the members whose organisation the consent covers (all four here).
    "referral_detail": _everyone_else_403(
        {"coach.nassjo": 200, "chef.nassjo": 200, "referrer.af": 200, **dict.fromkeys(NASSJO_MEMBERS, 200)}
        | dict.fromkeys(OUTSIDERS, 404)
    ),
    "referral_edit": _everyone_else_403({"coach.nassjo": 200, "referrer.af": 403, "coach.eksjo": 404}),
    "referral_withdraw": _everyone_else_403({"coach.nassjo": 200, "referrer.af": 200, "coach.eksjo": 404}),
    "agency_decision_add": _everyone_else_403({"coach.nassjo": 200, "referrer.af": 403, "coach.eksjo": 404}),
    "consent_create": _everyone_else_403({"coach.nassjo": 200, "referrer.af": 403, "coach.eksjo": 404}),
    "pre_meeting_book": _everyone_else_403({"coach.nassjo": 200, "referrer.af": 403, "coach.eksjo": 404}),
}


@pytest.mark.parametrize("name", REFERRAL_PAGES)
def test_each_referral_page_opens_for_those_who_may_use_it_and_opening_it_changes_no_row(client_for, on_agenda, name):
    open_page = status_and_changed_tables(lambda client: client.get(form_url(name, on_agenda)), access_log=False)

    outcomes = outcomes_by_persona(client_for, PERSONAS, open_page)

    assert outcomes == {username: (status, []) for username, status in REFERRAL_PAGES[name].items()}


def test_someone_without_a_role_cannot_submit(client_for, on_agenda):
    assert client_for("nobody").post(url("referral_submit", on_agenda.pk)).status_code == 403


@pytest.mark.parametrize("name", ["referral_detail", "referral_edit", "referral_withdraw"])
def test_a_referral_that_does_not_exist_gives_404(client_for, on_agenda, name):
    assert client_for("coach.nassjo").get(url(name, on_agenda.pk + 1000)).status_code == 404


# The list


def test_a_referrer_sees_their_own_referrals_with_status_and_outcome(client_for, people):
    own = make_referral(people, submit=False, consent=False)

    response = client_for("referrer.af").get(url("referral_list"))

    body = page_text(response)
    assert own.reference in body
    assert "Utkast" in body


def test_a_coach_sees_the_referrals_of_their_municipality_and_not_the_others(client_for, people):
    nassjo = make_referral(people)
    eksjo = make_referral(people, municipality_code="eksjo")

    body = page_text(client_for("coach.nassjo").get(url("referral_list")))

    assert nassjo.reference in body
    assert eksjo.reference not in body


def test_the_list_filters_by_status(client_for, people):
    submitted = make_referral(people)
    ready = make_ready_referral(people)

    body = page_text(client_for("coach.nassjo").get(url("referral_list"), {"status": "ready"}))

    assert ready.reference in body
    assert submitted.reference not in body


def test_an_unknown_status_filter_shows_an_error_and_no_referral(client_for, people):
    referral = make_referral(people)

    response = client_for("coach.nassjo").get(url("referral_list"), {"status": "nonsense"})

    assert response.status_code == 200
    assert referral.reference not in page_text(response)
    assert "Välj ett giltigt alternativ" in page_text(response)


def test_the_list_shows_25_referrals_a_page(client_for, people):
    for _ in range(26):
        make_referral(people, consent=False, submit=False)

    first = client_for("referrer.af").get(url("referral_list"))
    second = client_for("referrer.af").get(url("referral_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 1
    assert "Remisser 1–25 av fler" in page_text(first) and "Sida 1<" in page_text(first)
    assert "26 remisser" in page_text(second) and "Sida 2 av 2" in page_text(second)


@pytest.mark.parametrize("username", ["coach.nassjo", "referrer.af"])
def test_the_list_needs_the_same_number_of_queries_for_one_referral_and_for_many(
    client_for, people, django_assert_num_queries, username
):
    make_referral(people)
    client = client_for(username)
    client.get(url("referral_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("referral_list"))
    for _ in range(5):
        make_referral(people)

    with django_assert_num_queries(len(one)):
        response = client.get(url("referral_list"))

    assert len(response.context["page"].object_list) == 6


@pytest.mark.parametrize("username", ["coach.nassjo", "chef.nassjo", "referrer.af", "af.nassjo"])
def test_the_referral_page_takes_at_most_15_queries_for_each_reader(client_for, on_agenda, username):
    """The submitted referral on an agenda, as the coach, the manager, its writer and a member read
    it (issue 15: at most MOST_QUERIES_A_PAGE)."""
    client = client_for(username)
    client.get(url("referral_detail", on_agenda.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("referral_detail", on_agenda.pk))

    assert response.status_code == 200
    assert len(queries) <= MOST_QUERIES_A_PAGE, [query["sql"][:120] for query in queries]


def test_listing_names_writes_one_list_row_in_the_access_log(client_for, people):
    make_referral(people)

    client_for("coach.nassjo").get(url("referral_list"))

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type) == (people["coach.nassjo"], "list", "referrals.referral")


def test_opening_the_list_changes_no_row(client_for, people):
    make_referral(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    client.get(url("referral_list"), {"status": "submitted"})

    assert every_row(access_log=False) == before


def test_an_empty_list_writes_nothing_in_the_access_log(client_for, people):
    client_for("coach.nassjo").get(url("referral_list"))

    assert not AccessLog.objects.exists()


# A new referral


def test_a_referrer_writes_a_referral_and_lands_on_its_page(client_for, people):
    response = client_for("referrer.af").post(url("referral_create"), referral_data())

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("referral_detail", referral.pk)
    assert referral.status == Referral.Status.DRAFT
    assert (referral.referrer, referral.written_by) == (people["referrer.af"], people["referrer.af"])
    assert referral.person.identity_number == "198112289874"
    assert referral.person.full_name == "Nora Nilsson"
    assert referral.person.municipality == municipality("nassjo")
    assert referral.ground_mental_ill_health and not referral.ground_disability
    assert sorted(o.code for o in referral.active_at.all()) == ["af", "fk"]


def test_the_referring_organisation_is_preselected_when_there_is_only_one(client_for):
    form = client_for("referrer.af").get(url("referral_create")).context["form"]

    assert form["referring_organisation"].value() == org("af").pk
    assert "referrer" not in form.fields


def test_an_invalid_personnummer_is_refused_in_swedish_and_the_form_keeps_what_was_typed(client_for, people):
    before = (Person.objects.count(), Referral.objects.count())

    response = client_for("referrer.af").post(url("referral_create"), referral_data(identity_number="19900101-1234"))

    body = page_text(response)
    assert response.status_code == 200
    assert "Kontrollsiffran stämmer inte" in body
    assert 'value="19900101-1234"' in body
    assert 'value="Nora"' in body
    assert "Kan SE-Höglandet hjälpa Nora till arbete?" in body
    assert (Person.objects.count(), Referral.objects.count()) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"grounds": None}, "Välj minst en grund för målgruppen."),
        ({"identity_number": ""}, "Ange personnummer eller samordningsnummer, eller kryssa i"),
        ({"identity_number": "", "no_number": "on"}, "Ange födelsedatum för en person utan nummer."),
        ({"identity_number": "", "no_number": "on", "birth_date": "1990-02-30"}, "Fyll i ett giltigt datum."),
        ({"first_name": ""}, ("Förnamn måste fyllas i.", "Förnamn must be filled in.")),
        ({"gender": "alien"}, "Välj ett giltigt alternativ."),
        ({"municipality": "abc"}, "Välj ett giltigt alternativ."),
        ({"email": "inte-en-adress"}, "Fyll i en giltig e-postadress."),
        # An id no database integer holds: SQLite raised OverflowError, a 500 (found by the form fuzz).
        ({"active_at": [str(2**64)]}, "Välj ett giltigt alternativ."),
    ],
)
def test_bad_input_gives_a_clear_swedish_error_and_saves_nothing(client_for, people, overrides, message):
    client = client_for("referrer.af")
    before = every_row(access_log=False)

    response = client.post(url("referral_create"), referral_data(**overrides))

    assert response.status_code == 200
    assert shows(page_text(response), message)
    assert every_row(access_log=False) == before


def test_a_person_without_a_number_gets_a_reserve_identity(client_for, people):
    data = referral_data(identity_number="", no_number="on", birth_date="1990-04-12")

    client_for("referrer.af").post(url("referral_create"), data)

    person = Referral.objects.get().person
    assert person.identity_kind == Person.IdentityKind.RESERVE
    assert person.reserve_identity.startswith("R-")
    assert person.birth_date.isoformat() == "1990-04-12"


def test_a_samordningsnummer_is_accepted(client_for, people):
    client_for("referrer.af").post(url("referral_create"), referral_data(identity_number="701063-2391"))

    person = Referral.objects.get().person
    assert person.identity_kind == Person.IdentityKind.SAMORDNINGSNUMMER
    assert person.birth_date.isoformat() == "1970-10-03"


def test_a_known_personnummer_finds_the_person_without_showing_their_earlier_cases(client_for, people, system_user):
    other_referrer = people["nobody"]
    core_services.add_membership(actor=system_user, user=other_referrer, organisation=org("fk"), role=Role.REFERRER)
    known = make_person(other_referrer, first_name="Kim", last_name="Kaya", phone="070-999 99 99")
    number = known.identity_display
    earlier = make_ready_referral(people, person=known, referrer="nobody")

    client = client_for("referrer.af")
    client.post(url("referral_create"), referral_data(identity_number=number, first_name="Kim", last_name="Kaya"))

    new = Referral.objects.exclude(pk=earlier.pk).get()
    body = page_text(client.get(url("referral_detail", new.pk)))
    assert Person.objects.filter(identity_number=number.replace("-", "")).count() == 1
    assert new.person == known
    assert earlier.reference not in body
    assert earlier.question not in body and earlier.motivation not in body
    assert NOTES not in body
    assert "070-999 99 99" not in body
    assert client.get(url("referral_detail", earlier.pk)).status_code == 404


def test_a_coach_writes_a_referral_on_behalf_of_a_referrer(client_for, people):
    data = referral_data(referring_organisation=org("af").pk, referrer=people["referrer.af"].pk)

    response = client_for("coach.nassjo").post(url("referral_create"), data)

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert (referral.referrer, referral.written_by) == (people["referrer.af"], people["coach.nassjo"])
    assert client_for("referrer.af").get(url("referral_detail", referral.pk)).status_code == 200


def test_a_coach_who_wrote_a_referral_on_behalf_of_a_referrer_lands_on_its_page(client_for, people):
    data = referral_data(referring_organisation=org("af").pk, referrer=people["referrer.af"].pk)

    response = client_for("coach.nassjo").post(url("referral_create"), data)

    assert response["Location"] == url("referral_detail", Referral.objects.get().pk)


def test_a_coach_chooses_the_referrer_among_users_with_the_referrer_role(client_for, people):
    form = client_for("coach.nassjo").get(url("referral_create")).context["form"]

    assert list(form.fields["referrer"].queryset) == [people["referrer.af"]]


def test_a_referrer_cannot_refer_for_an_organisation_they_do_not_belong_to(client_for, people):
    data = referral_data(referring_organisation=org("fk").pk)

    response = client_for("referrer.af").post(url("referral_create"), data)

    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in page_text(response)
    assert not Referral.objects.exists()


# The referral page, per role


def test_the_coach_sees_the_whole_case(client_for, people, on_agenda):
    Referral.objects.filter(pk=on_agenda.pk).update(phone="070-111 22 33", street_address="Storgatan 7")

    body = page_text(client_for("coach.nassjo").get(url("referral_detail", on_agenda.pk)))

    assert on_agenda.person.full_name in body
    assert on_agenda.person.identity_display in body
    assert "070-111 22 33" in body and "Storgatan 7" in body
    assert NOTES in body
    assert on_agenda.question in body
    assert reverse("consent:consent_withdraw", args=[on_agenda.person.consents.get().pk]) in body
    assert url("pre_meeting_record", on_agenda.pre_meetings.get().pk) in body


def test_the_referrer_sees_what_they_wrote_and_the_status_but_never_the_pre_meeting_notes(
    client_for, people, on_agenda
):
    body = page_text(client_for("referrer.af").get(url("referral_detail", on_agenda.pk)))

    assert on_agenda.question in body
    assert on_agenda.motivation in body
    assert str(on_agenda.get_status_display()) in body
    assert NOTES not in body
    assert url("pre_meeting_record", on_agenda.pre_meetings.get().pk) not in body


def test_the_referrer_sees_the_outcome_of_a_decided_referral(client_for, people, on_agenda):
    from referrals.models import Decision
    from tests.factories import decide, hold_meeting_today

    item = on_agenda.agenda_items.get()
    hold_meeting_today(item.meeting)
    decide(
        people,
        item,
        Decision.Outcome.DECLINE,
        grounds="Behöver annat stöd först.",
        informs_person="Handläggaren på AF",
        recommendation="Kontakta psykiatrin.",
    )

    body = page_text(client_for("referrer.af").get(url("referral_detail", on_agenda.pk)))

    assert decision_result(Decision.Outcome.DECLINE) in body
    assert "Kontakta psykiatrin." in body
    assert "Handläggaren på AF" in body
    assert NOTES not in body


def test_a_consented_member_sees_the_pre_read_but_not_the_notes_nor_the_address(client_for, people, on_agenda):
    Person.objects.filter(pk=on_agenda.person_id).update(phone="070-111 22 33", street_address="Storgatan 7")

    body = page_text(client_for("fk.nassjo").get(url("referral_detail", on_agenda.pk)))

    assert on_agenda.question in body
    assert on_agenda.motivation in body
    assert "Arbetsförmedlingen" in body and "Försäkringskassan" in body
    assert NOTES not in body
    assert "070-111 22 33" not in body and "Storgatan 7" not in body
    assert url("referral_edit", on_agenda.pk) not in body


def test_a_member_whose_organisation_the_consent_does_not_cover_gets_404(client_for, people):
    referral = make_ready_referral(people, consent=["{m}-se", "af", "region-psykiatri", "{m}-bistand"])
    put_on_agenda(people, referral, make_meeting(people))

    assert client_for("fk.nassjo").get(url("referral_detail", referral.pk)).status_code == 404
    assert client_for("af.nassjo").get(url("referral_detail", referral.pk)).status_code == 200


def test_a_member_cannot_read_a_referral_that_is_not_on_an_agenda(client_for, people):
    referral = make_ready_referral(people)

    assert client_for("fk.nassjo").get(url("referral_detail", referral.pk)).status_code == 404


def test_a_protected_identity_the_writer_marked_is_hidden_from_everyone_but_the_coach(client_for, people, on_agenda):
    Referral.objects.filter(pk=on_agenda.pk).update(protected_identity=True)
    name = on_agenda.full_name

    coach = page_text(client_for("coach.nassjo").get(url("referral_detail", on_agenda.pk)))
    member = page_text(client_for("fk.nassjo").get(url("referral_detail", on_agenda.pk)))
    manager = page_text(client_for("chef.nassjo").get(url("referral_detail", on_agenda.pk)))
    referrer = page_text(client_for("referrer.af").get(url("referral_detail", on_agenda.pk)))

    assert name in coach
    for body in (member, manager):
        assert name not in body and "Skyddad identitet" in body
        assert on_agenda.person.identity_display not in body
    assert name not in referrer and on_agenda.person.identity_display not in referrer


def test_a_protected_identity_only_the_registry_knows_is_hidden_from_third_parties_not_shown_to_the_writer(
    client_for, people, on_agenda
):
    """The writer sees what they typed, so the page tells them nothing of what the registry knows;
    the group and the manager see the masked name; the responsible coach is told."""
    Person.objects.filter(pk=on_agenda.person_id).update(protected_identity=True)
    name = on_agenda.full_name

    coach = page_text(client_for("coach.nassjo").get(url("referral_detail", on_agenda.pk)))
    member = page_text(client_for("fk.nassjo").get(url("referral_detail", on_agenda.pk)))
    manager = page_text(client_for("chef.nassjo").get(url("referral_detail", on_agenda.pk)))
    referrer = page_text(client_for("referrer.af").get(url("referral_detail", on_agenda.pk)))

    assert name in coach and "<dt>Skyddad identitet</dt><dd>Ja</dd>" in coach
    for body in (member, manager):
        assert name not in body and "Skyddad identitet" in body
    assert name in referrer and "<dt>Skyddad identitet</dt><dd>Nej</dd>" in referrer


@pytest.mark.parametrize("username", ["coach.nassjo", "referrer.af", "fk.nassjo"])
def test_opening_the_referral_page_writes_one_access_log_row_with_the_person(client_for, people, on_agenda, username):
    client_for(username).get(url("referral_detail", on_agenda.pk))

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.object_id, entry.person_id) == (
        people[username],
        "view",
        "referrals.referral",
        str(on_agenda.pk),
        on_agenda.person_id,
    )
    assert entry.purpose


@pytest.mark.parametrize("username", ["coach.eksjo", "fk.eksjo", "fk.nassjo"])
def test_a_refused_attempt_on_a_referral_is_logged_without_the_person(client_for, people, username):
    referral = make_referral(people)

    response = client_for(username).get(url("referral_detail", referral.pk))

    entry = AccessLog.objects.get()
    assert response.status_code == 404
    assert (entry.user, entry.object_id, entry.person_id) == (people[username], str(referral.pk), None)


def test_a_draft_page_says_exactly_what_is_missing_before_submit(client_for, people):
    referral = make_referral(people, consent=False, submit=False)

    body = page_text(client_for("referrer.af").get(url("referral_detail", referral.pk)))

    assert "Det här saknas innan remissen kan skickas" in body
    assert "Arbetsförmedlingen" in body and "SE-team Nässjö" in body
    assert url("referral_submit", referral.pk) in body


def test_the_page_warns_when_the_person_is_active_at_fewer_than_two_parties(client_for, people):
    referral = make_referral(people)
    services.update_referral(actor=people["coach.nassjo"], referral=referral, active_at=[org("af")])

    body = page_text(client_for("coach.nassjo").get(url("referral_detail", referral.pk)))

    assert gettext("Enrolment needs the person to be active at two or more parties.") in body
    assert "Inskrivning kräver" in body


def test_a_referral_with_one_active_party_cannot_be_submitted(client_for, people):
    referral = make_referral(people, active_at=("af",), submit=False)

    response = client_for("referrer.af").post(url("referral_submit", referral.pk), follow=True)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT
    assert "Ange minst två parter där personen är aktuell." in page_text(response)


# Change


def test_the_referrer_changes_a_draft(client_for, people):
    referral = make_referral(people, consent=False, submit=False)
    data = {
        "grounds": ["ground_disability", "ground_past_substance_abuse"],
        "active_at": [org("af").pk, org("fk").pk, org("region-psykiatri").pk],
        "income_source": "salary",
        "motivation": "Nu vill jag.",
        "question": "Ny fråga?",
    }

    response = client_for("referrer.af").post(url("referral_edit", referral.pk), data)

    referral.refresh_from_db()
    assert response.status_code == 302
    assert (referral.ground_disability, referral.ground_mental_ill_health, referral.ground_past_substance_abuse) == (
        True,
        False,
        True,
    )
    assert referral.active_at.count() == 3
    assert (referral.income_source, referral.question) == ("salary", "Ny fråga?")


def test_the_form_shows_what_the_referral_says(client_for, people):
    referral = make_referral(people, consent=False, submit=False)

    form = client_for("referrer.af").get(url("referral_edit", referral.pk)).context["form"]

    assert form["grounds"].value() == ["ground_mental_ill_health"]
    assert form["question"].value() == referral.question


def test_a_change_without_a_ground_is_refused_and_changes_nothing(client_for, people):
    referral = make_referral(people, consent=False, submit=False)
    client = client_for("referrer.af")
    before = every_row(access_log=False)

    response = client.post(
        url("referral_edit", referral.pk), {"income_source": "salary", "motivation": "x", "question": "y"}
    )

    assert response.status_code == 200
    assert "Välj minst en grund för målgruppen." in page_text(response)
    assert every_row(access_log=False) == before


def test_the_referrer_cannot_change_a_submitted_referral(client_for, people):
    referral = make_referral(people)

    response = client_for("referrer.af").post(url("referral_edit", referral.pk), {"question": "x"})

    assert response.status_code == 403


# Submit


def test_the_referrer_submits_a_draft_with_consent(client_for, people):
    referral = make_referral(people, submit=False)

    response = client_for("referrer.af").post(url("referral_submit", referral.pk), follow=True)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED
    assert "Remissen har skickats till SE-teamet i Nässjö." in page_text(response)
    assert client_for("coach.nassjo").get(url("referral_detail", referral.pk)).status_code == 200


def test_a_draft_without_consent_is_not_submitted_and_the_message_says_why(client_for, people):
    referral = make_referral(people, consent=False, submit=False)
    client = client_for("referrer.af")
    before = every_row(access_log=False)

    response = client.post(url("referral_submit", referral.pk), follow=True)

    body = page_text(response)
    assert "Remissen kunde inte skickas." in body
    assert "SE-team Nässjö" in body
    assert every_row(access_log=False) == before


def test_an_outsider_cannot_submit(client_for, people):
    referral = make_referral(people, submit=False)

    assert client_for("coach.eksjo").post(url("referral_submit", referral.pk)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT


# Withdraw


def test_the_withdrawal_page_asks_first_and_changes_nothing(client_for, people):
    referral = make_referral(people)
    client = client_for("referrer.af")
    before = every_row(access_log=False)

    response = client.get(url("referral_withdraw", referral.pk))

    assert "Ja, återkalla remissen" in page_text(response)
    assert every_row(access_log=False) == before


def test_the_referrer_withdraws_their_referral(client_for, people):
    referral = make_referral(people)

    response = client_for("referrer.af").post(url("referral_withdraw", referral.pk), follow=True)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.WITHDRAWN
    assert "Remissen har återkallats." in page_text(response)


def test_a_withdrawn_referral_cannot_be_withdrawn_again(client_for, people):
    referral = make_referral(people)
    services.withdraw_referral(actor=people["referrer.af"], referral=referral)

    page = page_text(client_for("referrer.af").get(url("referral_withdraw", referral.pk)))
    response = client_for("referrer.af").post(url("referral_withdraw", referral.pk), follow=True)

    assert "Den här remissen kan inte längre återkallas." in page
    assert response.status_code == 200
    assert "kan inte bli" in page_text(response)


def test_an_outsider_cannot_withdraw(client_for, people):
    referral = make_referral(people)

    assert client_for("coach.eksjo").post(url("referral_withdraw", referral.pk)).status_code == 404
    assert client_for("auditor").post(url("referral_withdraw", referral.pk)).status_code == 403
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


# Individual decisions on insats


def test_the_coach_adds_an_individual_decision(client_for, people):
    referral = make_referral(people)
    today = timezone.localdate()
    data = {
        "organisation": org("fk").pk,
        "reference": "FK 2026/123",
        "decided_on": (today - timedelta(days=10)).isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(),
    }

    response = client_for("coach.nassjo").post(url("agency_decision_add", referral.pk), data)

    decision = AgencyDecision.objects.get()
    assert response.status_code == 302
    assert (decision.referral, decision.organisation, decision.reference) == (referral, org("fk"), "FK 2026/123")
    assert "FK 2026/123" in page_text(client_for("referrer.af").get(url("referral_detail", referral.pk)))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"valid_until": "2020-01-01"}, "Giltigt till kan inte vara före beslutsdatumet."),
        ({"decided_on": "2020-13-01"}, "Fyll i ett giltigt datum."),
        ({"organisation": "region-psykiatri"}, "Välj ett giltigt alternativ."),
        ({"reference": ""}, ("Partens diarienummer måste fyllas i.", "Partens diarienummer must be filled in.")),
    ],
)
def test_a_bad_individual_decision_is_refused_and_nothing_is_saved(client_for, people, overrides, message):
    referral = make_referral(people)
    data = {"organisation": org("af").pk, "reference": "AF-1", "decided_on": "2021-05-01", **overrides}
    if data["organisation"] == "region-psykiatri":
        data["organisation"] = org("region-psykiatri").pk

    response = client_for("coach.nassjo").post(url("agency_decision_add", referral.pk), data)

    assert response.status_code == 200
    assert shows(page_text(response), message)
    assert not AgencyDecision.objects.exists()


def test_the_referrer_adds_an_individual_decision_to_a_draft(client_for, people):
    referral = make_referral(people, submit=False)
    data = {"organisation": org("af").pk, "reference": "AF-7", "decided_on": "2025-01-10"}

    client_for("referrer.af").post(url("agency_decision_add", referral.pk), data)

    assert AgencyDecision.objects.get().reference == "AF-7"


def test_consent_for_another_municipality_does_not_let_a_draft_be_submitted(client_for, people):
    referral = make_referral(people, consent=False, submit=False)
    give_consent(people["referrer.af"], referral.person, municipality_code="eksjo")

    client_for("referrer.af").post(url("referral_submit", referral.pk))

    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT
    assert Consent.objects.count() == 1


def test_the_coach_puts_a_ready_referral_on_a_coming_meeting_from_its_page(client_for, people):
    referral = make_ready_referral(people)
    meeting = make_meeting(people)
    coach = client_for("coach.nassjo")
    page = coach.get(url("referral_detail", referral.pk)).content.decode()
    assert f'value="{meeting.pk}"' in page

    response = coach.post(
        reverse("referrals:agenda_add", args=[referral.pk]),
        {"meeting": meeting.pk, "kind": "new_referral", "next": url("referral_detail", referral.pk)},
    )

    assert response.status_code == 302
    assert response["Location"] == url("referral_detail", referral.pk)
    assert meeting.items.get().referral == referral
