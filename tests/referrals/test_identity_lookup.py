"""Typing a known personnummer reveals nothing (docs/domain.md#identity-lookup).

The attack of issue 10: a coach of Nässjö, or a referrer, starts a new referral and types the number
of a person known from an Eksjö referral with protected identity. The referral is linked to that
person (one Person per number), but every page it opens shows exactly what was typed: not the
registry's name, phone, address, home municipality or protected identity, nor the consents of the
Eksjö case.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from participants.models import Participant
from referrals.models import Referral
from sehoglandet import services as core_services
from sehoglandet.models import Person, Role
from tests.factories import decide, give_consent, make_meeting, make_person, make_referral, org, put_on_agenda
from tests.helpers import body

# What the registry knows of the person, from the Eksjö referral: nothing of it may leak.
KNOWN = {
    "first_name": "Stina",
    "last_name": "Hemlin",
    "phone": "070-555 12 34",
    "email": "stina.hemlin@example.se",
    "street_address": "Gömda gatan 3",
    "postal_code": "575 31",
    "city": "Hult",
}
# What the new referral's writer types: another spelling of the name, and nothing else.
TYPED = {"first_name": "Anna", "last_name": "Andersson"}


@pytest.fixture
def known(people, system_user) -> Person:
    """A person with protected identity, referred to Eksjö by FK's referrer (`nobody` here)."""
    eksjo_referrer = people["nobody"]
    core_services.add_membership(actor=system_user, user=eksjo_referrer, organisation=org("fk"), role=Role.REFERRER)
    person = make_person(
        eksjo_referrer,
        **{key: KNOWN[key] for key in ("first_name", "last_name")},
        gender="woman",
        protected_identity=True,
        municipality=org("eksjo-se").se_team_of,
        **{key: value for key, value in KNOWN.items() if key not in ("first_name", "last_name")},
    )
    make_referral(people, person=person, referrer="nobody", municipality_code="eksjo")
    return person


def new_referral(known: Person, **overrides) -> dict:
    data = {
        "identity_number": known.identity_display,
        **TYPED,
        "gender": "woman",
        "municipality": org("nassjo-se").se_team_of.pk,
        "referring_organisation": org("af").pk,
        "grounds": ["ground_mental_ill_health"],
        "active_at": [org("af").pk, org("fk").pk],
        "income_source": "sickness_benefit",
        "motivation": "Vill arbeta.",
        "question": "Deltagande?",
    }
    data.update(overrides)
    return data


def person_section(html: str) -> dict[str, str]:
    """The "Personen" card of a referral page, as {term: value} in the page's own words."""
    card = html[html.index('id="person-heading"') : html.index("</section>", html.index('id="person-heading"'))]
    terms = [unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in re.findall(r"<dt>(.*?)</dt>", card, re.S)]
    values = [unescape(re.sub(r"<[^>]+>", "", v)).strip() for v in re.findall(r"<dd>(.*?)</dd>", card, re.S)]
    return dict(zip(terms, values, strict=True))


def what_was_typed(known: Person) -> dict[str, str]:
    return {
        "Namn": "Anna Andersson",
        "Personnummer": known.identity_display,
        "Födelsedatum": known.birth_date.isoformat(),
        "Kön": "Kvinna",
        "Telefon": "–",
        "E-post": "–",
        "Adress": "–",
        "Hemkommun": "–",
        "Skyddad identitet": "Nej",
    }


def assert_nothing_known_leaks(html: str) -> None:
    for value in KNOWN.values():
        assert value not in html


@pytest.mark.parametrize(
    ("writer", "on_behalf"),
    [("coach.nassjo", {"referrer": "referrer.af"}), ("referrer.af", {})],
)
def test_the_draft_shows_exactly_what_its_writer_typed_of_a_known_protected_person(
    client_for, people, known, writer, on_behalf
):
    client = client_for(writer)
    extra = {key: people[value].pk for key, value in on_behalf.items()}

    response = client.post(reverse("referrals:referral_create"), new_referral(known, **extra), follow=True)

    draft = Referral.objects.get(written_by=people[writer])
    assert draft.person == known
    assert Person.objects.filter(identity_number=known.identity_number).count() == 1
    html = body(response)
    assert person_section(html) == what_was_typed(known)
    assert_nothing_known_leaks(html)


def test_the_draft_lists_none_of_the_consents_of_the_persons_other_cases(client_for, people, known):
    eksjo_consent = known.consents.get()
    client = client_for("coach.nassjo")
    client.post(reverse("referrals:referral_create"), new_referral(known, referrer=people["referrer.af"].pk))
    draft = Referral.objects.get(written_by=people["coach.nassjo"])

    html = body(client.get(reverse("referrals:referral_detail", args=[draft.pk])))

    assert reverse("consent:consent_withdraw", args=[eksjo_consent.pk]) not in html
    assert client.get(reverse("consent:consent_withdraw", args=[eksjo_consent.pk])).status_code == 404


def test_the_consent_page_names_the_person_as_the_writer_typed_them(client_for, people, known):
    client = client_for("referrer.af")
    client.post(reverse("referrals:referral_create"), new_referral(known))

    html = body(client.get(reverse("consent:consent_create", args=[known.pk])))

    assert "Anna Andersson" in html
    assert_nothing_known_leaks(html)


def test_the_receiving_team_sees_the_referral_as_typed_and_is_told_of_the_protected_identity(client_for, people, known):
    client = client_for("referrer.af")
    client.post(reverse("referrals:referral_create"), new_referral(known))
    referral = Referral.objects.get(written_by=people["referrer.af"])
    give_consent(people["referrer.af"], known)
    assert client.post(reverse("referrals:referral_submit", args=[referral.pk])).status_code == 302

    shown = person_section(
        body(client_for("coach.nassjo").get(reverse("referrals:referral_detail", args=[referral.pk])))
    )

    assert shown == {**what_was_typed(known), "Skyddad identitet": "Ja"}


def test_the_manager_and_the_group_see_a_known_protected_identity_masked(client_for, people, known):
    referral = make_referral(people, person=known)
    meeting = make_meeting(people)
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.READY)
    put_on_agenda(people, referral, meeting)

    for username in ("chef.nassjo", "fk.nassjo"):
        shown = person_section(body(client_for(username).get(reverse("referrals:referral_detail", args=[referral.pk]))))
        assert shown["Namn"] == "Skyddad identitet"
        assert set(shown) <= {"Namn", "Personnummer"}
        assert shown["Personnummer"] == "–"


def test_enrolment_gives_the_registry_the_enrolling_referrals_details_and_keeps_the_protection(
    people, known, system_user
):
    from tests.factories import hold_meeting_today, make_ready_referral

    referral = make_ready_referral(people, person=known)
    Referral.objects.filter(pk=referral.pk).update(
        first_name="Anna", last_name="Andersson", phone="070-000 00 01", protected_identity=False, residence=None
    )
    meeting = make_meeting(people)
    item = put_on_agenda(people, referral, meeting)
    hold_meeting_today(meeting)
    item.refresh_from_db()

    decide(people, item)

    known.refresh_from_db()
    assert Participant.objects.get(referral=referral).person == known
    assert (known.full_name, known.phone, known.municipality, known.protected_identity) == (
        "Anna Andersson",
        "070-000 00 01",
        None,
        True,
    )
    assert known.history.first().history_change_reason == "participant.enrolled"
