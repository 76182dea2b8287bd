"""A "Ny remiss" sent twice, one after the other or at the same moment, gives one person and one
draft, and never an error page (issue 10; docs/domain.md#identity-lookup)."""

import contextlib
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from referrals.models import Referral
from sehoglandet import services as core_services
from sehoglandet.models import Person
from tests.factories import make_person, municipality, org
from tests.helpers import messages_of
from tests.second_factor import sign_in_verified

NUMBER = "811228-9874"


def referral_data(**overrides) -> dict:
    data = {
        "identity_number": NUMBER,
        "first_name": "Nora",
        "last_name": "Nilsson",
        "gender": "woman",
        "municipality": municipality("nassjo").pk,
        "referring_organisation": org("af").pk,
        "grounds": ["ground_mental_ill_health"],
        "active_at": [org("af").pk, org("fk").pk],
        "income_source": "sickness_benefit",
        "motivation": "Jag vill jobba i butik.",
        "question": "Kan SE-Höglandet hjälpa Nora till arbete?",
    }
    data.update(overrides)
    return data


def test_sending_the_form_twice_opens_the_first_draft_instead_of_saving_a_second(client_for, people):
    client = client_for("referrer.af")

    first = client.post(reverse("referrals:referral_create"), referral_data())
    second = client.post(reverse("referrals:referral_create"), referral_data(), follow=True)

    draft = Referral.objects.get()
    assert first.url == reverse("referrals:referral_detail", args=[draft.pk])
    assert second.redirect_chain == [(reverse("referrals:referral_detail", args=[draft.pk]), 302)]
    assert (
        f"Du har redan ett utkast till remiss för den här personen, {draft.reference}, och det visas här. "
        "Inget andra utkast sparades." in messages_of(second)
    )
    assert Person.objects.count() == 1


def test_another_writer_may_still_refer_the_same_person(client_for, people):
    client_for("referrer.af").post(reverse("referrals:referral_create"), referral_data())
    client_for("coach.nassjo").post(
        reverse("referrals:referral_create"), referral_data(referrer=people["referrer.af"].pk)
    )

    assert Referral.objects.count() == 2
    assert Person.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("known", [False, True], ids=["new number", "known number"])
def test_two_posts_at_the_same_moment_give_one_person_one_draft_and_no_error_page(people, monkeypatch, known):
    """Both requests check for the number before either saves (the barrier holds them there), so
    without the fix both insert the person and one fails on the unique index (a 500). On SQLite
    an IMMEDIATE transaction makes the second wait at its start instead, and the barrier gives up."""
    data = (
        referral_data(identity_number=make_person(people["coach.nassjo"]).identity_display)
        if known
        else referral_data()
    )
    persons_before = Person.objects.count()
    together = threading.Barrier(2)
    parse = core_services.parse_identity_number

    def parse_then_wait(value):
        parsed = parse(value)
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait(timeout=2)
        return parsed

    monkeypatch.setattr(core_services, "parse_identity_number", parse_then_wait)
    statuses: list[int] = []

    def post():
        client = Client(raise_request_exception=False)
        sign_in_verified(client, people["referrer.af"])
        try:
            statuses.append(client.post(reverse("referrals:referral_create"), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [302, 302]
    assert Person.objects.count() == persons_before + (0 if known else 1)
    assert Referral.objects.filter(written_by=people["referrer.af"]).count() == 1
