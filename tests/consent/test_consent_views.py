"""Consent on the referral page: recording it (with the signed form), withdrawing it, and downloading
the form through the permission-checked, logged view."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consent import services as consent_services
from consent.models import Consent, Purpose, private_storage
from referrals import services
from referrals.models import Referral
from sehoglandet.models import AccessLog
from tests.factories import give_consent, make_meeting, make_ready_referral, make_referral, org, put_on_agenda
from tests.helpers import PERSONAS, every_row, outcomes_by_persona, shows, statuses_by_persona

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def private_files(tmp_path, monkeypatch):
    """Signed forms go to a fresh folder for each test."""
    monkeypatch.setattr(private_storage, "_wrapped", FileSystemStorage(location=tmp_path))
    return tmp_path


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


def url(name: str, pk: int) -> str:
    namespace = "consent" if name.startswith("consent_") else "referrals"
    return reverse(f"{namespace}:{name}", args=[pk])


def create_url(referral: Referral) -> str:
    """The consent form as the referral page links to it: for the referral's person, back to the referral."""
    return f"{url('consent_create', referral.person_id)}?next={url('referral_detail', referral.pk)}"


def withdraw_url(consent: Consent, referral: Referral) -> str:
    return f"{url('consent_withdraw', consent.pk)}?next={url('referral_detail', referral.pk)}"


def consent_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "organisations": [org("af").pk, org("nassjo-se").pk],
        "purposes": [Purpose.REFERRAL_GROUP.value, Purpose.PARTICIPATION.value],
        "given_on": today.isoformat(),
        "method": Consent.Method.WRITTEN.value,
        "valid_until": (today + timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def consent_with_form(actor, referral: Referral) -> Consent:
    today = timezone.localdate()
    return consent_services.record_consent(
        actor=actor,
        person=referral.person,
        organisations=[org("nassjo-se")],
        purposes=[Purpose.PARTICIPATION],
        given_on=today,
        method=Consent.Method.WRITTEN,
        valid_until=today + timedelta(days=30),
        document=ContentFile(PDF, name="blankett.pdf"),
    )


@pytest.fixture
def on_agenda(people) -> Referral:
    referral = make_ready_referral(people)
    put_on_agenda(people, referral, make_meeting(people))
    return referral


# Recording


def test_the_coach_records_a_consent_with_the_signed_form(client_for, people, private_files):
    referral = make_referral(people)
    upload = SimpleUploadedFile("samtycke.pdf", PDF, content_type="application/pdf")

    data = {**consent_data(), "document": upload}

    response = client_for("coach.nassjo").post(create_url(referral), data)

    consent = Consent.objects.exclude(recorded_by=people["referrer.af"]).get()
    assert response.status_code == 302
    assert response["Location"] == url("referral_detail", referral.pk)
    assert consent.recorded_by == people["coach.nassjo"]
    assert sorted(o.code for o in consent.organisations.all()) == ["af", "nassjo-se"]
    assert consent.purposes == [Purpose.REFERRAL_GROUP, Purpose.PARTICIPATION]
    assert [path.read_bytes() for path in stored_files(private_files)] == [PDF]
    assert consent.document.name.endswith(".pdf")


def test_the_referrer_records_consent_on_their_draft_and_can_then_submit(client_for, people):
    referral = make_referral(people, consent=False, submit=False)
    client = client_for("referrer.af")

    client.post(create_url(referral), consent_data())
    client.post(url("referral_submit", referral.pk))

    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


def test_a_consent_without_a_form_is_fine(client_for, people, private_files):
    referral = make_referral(people)

    client_for("coach.nassjo").post(create_url(referral), consent_data(method="oral"))

    assert Consent.objects.filter(method="oral", document="").count() == 1
    assert stored_files(private_files) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"valid_until": "2020-01-01"}, "Samtycket måste gälla i dag eller senare; det här datumet har passerat."),
        ({"given_on": "2999-01-01", "valid_until": "2999-06-01"}, "Ett samtycke kan inte lämnas i framtiden."),
        ({"organisations": None}, "Välj minst en organisation."),
        ({"purposes": None}, "Välj minst ett ändamål."),
        ({"purposes": ["everything"]}, "Välj ett giltigt alternativ."),
        # Ids no database integer holds: SQLite raised OverflowError (a 500) before the form said no.
        ({"organisations": [str(2**64)]}, "Välj ett giltigt alternativ."),
        ({"organisations": [str(-(2**63) - 1)]}, "Välj ett giltigt alternativ."),
        ({"given_on": "igår"}, "Fyll i ett giltigt datum."),
        ({"method": None}, ("Hur det lämnades måste väljas.", "Hur det lämnades must be chosen.")),
    ],
)
def test_a_bad_consent_is_refused_in_swedish_and_nothing_is_saved(
    client_for, people, private_files, overrides, message
):
    referral = make_referral(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)
    upload = SimpleUploadedFile("samtycke.pdf", PDF, content_type="application/pdf")

    response = client.post(create_url(referral), {**consent_data(**overrides), "document": upload})

    assert response.status_code == 200
    assert shows(response.content.decode(), message)
    assert every_row(access_log=False) == before
    assert stored_files(private_files) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("samtycke.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "Filen är större än 10 MB."),
        ("samtycke.docx", b"PK\x03\x04", "Ladda upp den undertecknade blanketten som en PDF-, JPG- eller PNG-fil."),
        ("samtycke", PDF, "Ladda upp den undertecknade blanketten som en PDF-, JPG- eller PNG-fil."),
        ("samtycke.pdf", b"<html>inte en pdf</html>", "Filen är inte av den sort som namnet säger"),
        ("samtycke.png", PDF, "Filen är inte av den sort som namnet säger"),
    ],
)
def test_a_signed_form_of_the_wrong_kind_or_size_is_refused(client_for, people, private_files, name, content, message):
    referral = make_referral(people)
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(create_url(referral), {**consent_data(), "document": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    assert shows(response.content.decode(), message)
    assert every_row(access_log=False) == before
    assert stored_files(private_files) == []


def test_a_png_form_is_accepted(client_for, people, private_files):
    referral = make_referral(people)

    client_for("coach.nassjo").post(
        create_url(referral), {**consent_data(), "document": SimpleUploadedFile("foto.png", PNG)}
    )

    assert [path.suffix for path in stored_files(private_files)] == [".png"]


def test_the_consent_form_opens_only_for_those_who_may_record_consent(client_for, people):
    referral = make_referral(people)
    expected = {**dict.fromkeys(PERSONAS, 403), "coach.nassjo": 200, "coach.eksjo": 404}

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(create_url(referral)))

    assert statuses == expected


def test_the_consent_form_of_a_person_who_does_not_exist_gives_404(client_for, people):
    referral = make_referral(people)

    assert client_for("coach.nassjo").get(url("consent_create", referral.person_id + 1000)).status_code == 404


def test_after_saving_the_consent_form_goes_back_to_the_case_it_came_from_and_nowhere_else(client_for, people):
    referral = make_referral(people)
    client = client_for("coach.nassjo")
    form = url("consent_create", referral.person_id)

    back_home = client.post(form, consent_data())
    elsewhere = client.post(f"{form}?next=https://example.com/", consent_data())
    back_to_case = client.post(create_url(referral), consent_data())

    assert back_home["Location"] == reverse("home")
    assert elsewhere["Location"] == reverse("home")
    assert back_to_case["Location"] == url("referral_detail", referral.pk)


@pytest.mark.parametrize("target", ["'; DROP TABLE referrals_referral; --", "password_change"])
def test_a_next_that_is_not_an_address_is_ignored_and_the_consent_is_recorded(client_for, people, target):
    referral = make_referral(people)
    before = Consent.objects.count()

    response = client_for("coach.nassjo").post(
        url("consent_create", referral.person_id), {**consent_data(), "next": target}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert Consent.objects.count() == before + 1


def test_an_outsider_cannot_record_consent(client_for, people):
    referral = make_referral(people)
    before = Consent.objects.count()

    response = client_for("coach.eksjo").post(create_url(referral), consent_data())

    assert response.status_code == 404
    assert Consent.objects.count() == before


# Withdrawing


def test_the_withdrawal_page_asks_for_the_date_and_changes_nothing(client_for, people):
    referral = make_referral(people)
    consent = referral.person.consents.get()
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.get(url("consent_withdraw", consent.pk))

    assert response.status_code == 200
    assert "Registrera återkallelsen" in response.content.decode()
    assert every_row(access_log=False) == before


def test_withdrawing_consent_takes_access_away_from_the_group_and_says_what_must_follow(client_for, people, on_agenda):
    consent = on_agenda.person.consents.get()
    assert client_for("fk.nassjo").get(url("referral_detail", on_agenda.pk)).status_code == 200

    response = client_for("coach.nassjo").post(
        withdraw_url(consent, on_agenda), {"withdrawn_on": timezone.localdate().isoformat()}, follow=True
    )

    consent.refresh_from_db()
    body = response.content.decode()
    assert consent.withdrawn_on == timezone.localdate()
    assert consent.withdrawal_recorded_by == people["coach.nassjo"]
    assert response.redirect_chain[-1][0] == url("referral_detail", on_agenda.pk)
    assert "Återkallelsen av samtycket har registrerats." in body
    assert "Personen återkallade sitt samtycke" in body
    assert "Registrera ett nytt samtycke" in body
    assert client_for("fk.nassjo").get(url("referral_detail", on_agenda.pk)).status_code == 404


def test_a_new_consent_clears_the_notice_about_the_withdrawn_one(client_for, people, on_agenda):
    consent = on_agenda.person.consents.get()
    consent_services.withdraw_consent(actor=people["coach.nassjo"], consent=consent, withdrawn_on=timezone.localdate())
    give_consent(people["coach.nassjo"], on_agenda.person)

    body = client_for("coach.nassjo").get(url("referral_detail", on_agenda.pk)).content.decode()

    assert "Personen återkallade sitt samtycke" not in body
    assert client_for("fk.nassjo").get(url("referral_detail", on_agenda.pk)).status_code == 200


@pytest.mark.parametrize(
    ("withdrawn_on", "message"),
    [
        ("2999-01-01", "En återkallelse kan inte registreras för ett datum i framtiden."),
        ("2000-01-01", "Ett samtycke kan inte återkallas före den dag det lämnades."),
        ("2024-02-30", "Fyll i ett giltigt datum."),
        ("", ("Återkallat den måste fyllas i.", "Återkallat den must be filled in.")),
    ],
)
def test_a_bad_withdrawal_date_is_refused_and_nothing_changes(client_for, people, withdrawn_on, message):
    referral = make_referral(people)
    consent = referral.person.consents.get()
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    response = client.post(url("consent_withdraw", consent.pk), {"withdrawn_on": withdrawn_on})

    assert response.status_code == 200
    assert shows(response.content.decode(), message)
    assert every_row(access_log=False) == before


def test_a_consent_withdrawn_already_cannot_be_withdrawn_again(client_for, people):
    referral = make_referral(people)
    consent = referral.person.consents.get()
    consent_services.withdraw_consent(actor=people["coach.nassjo"], consent=consent, withdrawn_on=timezone.localdate())
    client = client_for("coach.nassjo")
    before = every_row(access_log=False)

    page = client.get(url("consent_withdraw", consent.pk)).content.decode()
    response = client.post(url("consent_withdraw", consent.pk), {"withdrawn_on": timezone.localdate().isoformat()})

    assert "Samtycket återkallades" in page
    assert "Samtycket har redan återkallats." in response.content.decode()
    assert every_row(access_log=False) == before


def test_withdrawal_is_for_those_who_may_record_consent(client_for, people):
    referral = make_referral(people)
    consent = referral.person.consents.get()
    expected = {**dict.fromkeys(PERSONAS, 403), "coach.nassjo": 200, "coach.eksjo": 404}

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(url("consent_withdraw", consent.pk)))

    assert statuses == expected


def test_the_referrer_withdraws_a_consent_on_their_draft(client_for, people):
    referral = make_referral(people, submit=False)
    consent = referral.person.consents.get()

    client_for("referrer.af").post(url("consent_withdraw", consent.pk), {"withdrawn_on": timezone.localdate()})

    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()


def test_a_withdrawal_with_a_next_that_is_not_an_address_is_recorded_and_goes_home(client_for, people):
    referral = make_referral(people)
    consent = referral.person.consents.get()
    form = withdraw_url(consent, referral)

    response = client_for("coach.nassjo").post(
        form, {"withdrawn_on": timezone.localdate(), "next": "'; DROP TABLE referrals_referral; --"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()


def test_an_outsider_cannot_withdraw_a_consent(client_for, people):
    referral = make_referral(people)
    consent = referral.person.consents.get()

    response = client_for("coach.eksjo").post(url("consent_withdraw", consent.pk), {"withdrawn_on": "2026-01-01"})

    consent.refresh_from_db()
    assert response.status_code == 404
    assert consent.withdrawn_on is None


# The signed form


def test_the_coach_downloads_the_signed_form_and_the_download_is_logged(client_for, people):
    referral = make_referral(people)
    consent = consent_with_form(people["coach.nassjo"], referral)

    response = client_for("coach.nassjo").get(url("consent_document", consent.pk))

    content = b"".join(response.streaming_content)
    entry = AccessLog.objects.get()
    assert response.status_code == 200
    assert content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert (entry.user, entry.action, entry.object_type, entry.object_id, entry.person_id) == (
        people["coach.nassjo"],
        AccessLog.Action.EXPORT,
        "consent.consent",
        str(consent.pk),
        referral.person_id,
    )


def test_the_referrer_downloads_the_form_they_recorded_but_not_the_coachs(client_for, people):
    referral = make_referral(people, submit=False, consent=False)
    own = consent_with_form(people["referrer.af"], referral)
    give_consent(people["referrer.af"], referral.person)
    services.submit_referral(actor=people["referrer.af"], referral=referral)
    coachs = consent_with_form(people["coach.nassjo"], referral)
    client = client_for("referrer.af")

    own_response = client.get(url("consent_document", own.pk))
    coachs_response = client.get(url("consent_document", coachs.pk))

    assert own_response.status_code == 200
    assert b"".join(own_response.streaming_content) == PDF
    assert coachs_response.status_code == 404


def test_the_signed_form_is_refused_to_everyone_else(client_for, people, on_agenda):
    consent = consent_with_form(people["coach.nassjo"], on_agenda)
    everyone_else = [username for username in PERSONAS if username != "coach.nassjo"]

    def download(client):
        response = client.get(url("consent_document", consent.pk))
        return response.status_code, AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()

    outcomes = outcomes_by_persona(client_for, everyone_else, download)

    assert outcomes == {
        username: (404 if username in ["coach.eksjo", "referrer.af"] else 403, False) for username in everyone_else
    }


def test_a_consent_without_a_form_has_nothing_to_download(client_for, people):
    referral = make_referral(people)
    consent = referral.person.consents.get()

    assert client_for("coach.nassjo").get(url("consent_document", consent.pk)).status_code == 404


def test_the_signed_form_is_linked_from_the_referral_page_for_the_coach(client_for, people):
    referral = make_referral(people)
    consent = consent_with_form(people["coach.nassjo"], referral)

    body = client_for("coach.nassjo").get(url("referral_detail", referral.pk)).content.decode()

    assert url("consent_document", consent.pk) in body


def test_the_referral_page_lists_every_consent_to_the_team_and_only_their_own_to_the_referrer(client_for, people):
    referral = make_referral(people)
    referrers = referral.person.consents.get()
    coachs = consent_with_form(people["coach.nassjo"], referral)

    def listed(client):
        return sorted(consent.pk for consent in client.get(url("referral_detail", referral.pk)).context["consents"])

    seen = outcomes_by_persona(client_for, ["coach.nassjo", "chef.nassjo", "referrer.af"], listed)

    assert seen == {
        "coach.nassjo": sorted([referrers.pk, coachs.pk]),
        "chef.nassjo": sorted([referrers.pk, coachs.pk]),
        "referrer.af": [referrers.pk],
    }
