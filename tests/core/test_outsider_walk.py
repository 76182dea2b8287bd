"""One gate for every record: an outsider who holds the right role in another municipality asks for
each of Nässjö's records by its id, on every URL of the URLconf that takes one, and gets 404, with
exactly one `refused` access-log row naming the record, and no other change.

A new URL that takes an object id fails here until its record kind is named in KIND_OF_URL.
"""

from datetime import date

import pytest
from django.apps import apps

from consent.models import Purpose
from participants import services as participant_services
from referrals import services as referral_services
from reporting.models import AdoptedReport, AdoptedReportScope
from sehoglandet.access import declared_roles
from sehoglandet.models import AccessLog, ReferralGroup, Role
from tests import factories
from tests.core.test_url_auth import all_endpoints
from tests.participants.conftest import enrol

# Outsiders: the right roles, in Eksjö. Each URL is asked by the first one whose roles it admits.
OUTSIDERS = {"coach.eksjo": {Role.COACH}, "chef.eksjo": {Role.MANAGER}, "fk.eksjo": {Role.GROUP_MEMBER}}

KIND_OF_URL = {
    "referral_group_detail": "referral_group",
    "consent:consent_create": "person",
    "person_correct": "person",
    "register_extract": "person",
    "consent:consent_withdraw": "consent",
    "consent:consent_document": "consent",
    "referrals:referral_detail": "referral",
    "referrals:referral_edit": "referral",
    "referrals:referral_submit": "referral",
    "referrals:referral_withdraw": "referral",
    "referrals:agency_decision_add": "referral",
    "referrals:pre_meeting_book": "referral",
    "referrals:pre_meeting_hold": "referral",
    "referrals:agenda_add": "referral",
    "referrals:pre_meeting_record": "pre_meeting",
    "referrals:meeting_detail": "meeting",
    "referrals:meeting_publish": "meeting",
    "referrals:meeting_attendance": "meeting",
    "referrals:meeting_close": "meeting",
    "referrals:meeting_publish_confirm": "meeting",
    "referrals:meeting_close_confirm": "meeting",
    "referrals:meeting_minutes": "meeting",
    "referrals:meeting_agenda": "meeting",
    "referrals:item_respond": "agenda_item",
    "referrals:item_decide": "agenda_item",
    "referrals:escalation_decide": "escalation",
    "referrals:consultation_raise": "meeting",
    "referrals:consultation_answer": "consultation",
    "referrals:consultation_withdraw": "consultation",
    "participants:participant_detail": "participant",
    "participants:journal_entry_add": "participant",
    "participants:step_change": "participant",
    "participants:employment_add": "participant",
    "participants:aftercare_extend": "participant",
    "participants:support_start": "participant",
    "participants:coach_assign": "participant",
    "participants:income_add": "participant",
    "participants:income_before_correct": "participant",
    "participants:participant_changes": "participant",
    "participants:participant_exit": "participant",
    "participants:exit_complete": "participant",
    "participants:transfer_start": "participant",
    "participants:sus_mark": "participant",
    "participants:employment_end": "employment",
    "participants:aftercare_visit_mark": "aftercare_visit",
    "participants:transfer_meeting": "transfer",
    "participants:transfer_move": "transfer",
    "participants:transfer_accept": "transfer",
    "participants:transfer_accept_confirm": "transfer",
    "participants:transfer_cancel_confirm": "transfer",
    "participants:transfer_cancel": "transfer",
    "reporting:adopted_pdf": "adopted_report",
}


def object_endpoints() -> list:
    """Every pattern outside the admin that takes one integer id."""
    return [
        endpoint
        for endpoint in all_endpoints()
        if not endpoint.route.startswith("admin/") and endpoint.route.count("<int:") == 1
    ]


def state_rows() -> dict[str, list[dict]]:
    models = [
        model
        for label in ("sehoglandet", "consent", "referrals", "participants", "reporting")
        for model in apps.get_app_config(label).get_models()
        if model is not AccessLog
    ]
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models}


@pytest.fixture
def nassjo(people) -> dict:
    """One record of every kind in Nässjö: a referral on the agenda of a meeting held today whose
    decision went to the manager, and a participant in aftercare on their way to Tranås."""
    coach = people["coach.nassjo"]
    meeting = factories.make_meeting(people)
    referral = factories.make_ready_referral(people)
    item = factories.put_on_agenda(people, referral, meeting)
    consultation = referral_services.raise_consultation(
        actor=coach, meeting=meeting, kind="internal", question="Hur planerar vi stöd vid sjukskrivning?"
    )
    factories.hold_meeting_today(meeting)
    escalated = referral_services.record_decision(
        actor=coach, item=item, group_agreed=False, disagreement="Gruppen är oense om behovet av stöd."
    )
    (participant,) = enrol(people, ("Alva", "Brandt"))
    employment = factories.employ(coach, participant, days_ago=1)
    factories.give_consent(coach, participant.person, org_codes=["tranas-se"], purposes=[Purpose.TRANSFER])
    transfer = participant_services.start_transfer(
        actor=coach, participant=participant, to_municipality=factories.municipality("tranas")
    )
    adoption = AdoptedReport.objects.create(
        period_code="2025H1",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 6, 30),
        adopted_by=people["forbundschef"],
    )
    AdoptedReportScope.objects.create(
        adoption=adoption, municipality=factories.municipality("nassjo"), figures={}, pdf=b"%PDF-1.7"
    )
    return {
        "adopted_report": adoption,
        "referral_group": ReferralGroup.objects.get(municipality__code="nassjo"),
        "person": referral.person,
        "consent": referral.person.consents.first(),
        "referral": referral,
        "pre_meeting": referral.pre_meetings.first(),
        "meeting": meeting,
        "agenda_item": item,
        "escalation": escalated,
        "consultation": consultation,
        "participant": participant,
        "employment": employment,
        "aftercare_visit": employment.aftercare_visits.first(),
        "transfer": transfer,
    }


def test_every_url_that_takes_an_object_id_names_its_record_kind():
    names = {endpoint.name for endpoint in object_endpoints()}

    assert names == set(KIND_OF_URL)


def test_an_outsider_gets_404_and_one_refused_row_for_every_record_and_nothing_changes(client_for, people, nassjo):
    wrong = []
    for endpoint in object_endpoints():
        record = nassjo[KIND_OF_URL[endpoint.name]]
        allowed = declared_roles(endpoint.callback)
        username = next(name for name, roles in OUTSIDERS.items() if roles & allowed)
        client = client_for(username)
        url = endpoint.url.replace("/1/", f"/{record.pk}/", 1)
        before, last_log = state_rows(), AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)

        logged = list(
            AccessLog.objects.filter(pk__gt=last_log).values_list("user", "action", "object_type", "object_id")
        )
        expected = [(people[username].pk, AccessLog.Action.REFUSED, record._meta.label_lower, str(record.pk))]
        if response.status_code != 404 or logged != expected or state_rows() != before:
            wrong.append(f"{endpoint} as {username}: {response.status_code}, logged {logged}")

    assert wrong == []
