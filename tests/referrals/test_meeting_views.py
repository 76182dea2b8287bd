"""Meeting pages of the remittentgrupp: who may open them, what the coach and the members see, and
what each action does.

Nässjö's coach convenes; Nässjö's members (biståndsenheten, AF, FK, psykiatrin) see an item only
where the person's consent covers their organisation. Eksjö's coach, manager and FK member hold the
right roles but no grant here: for them Nässjö's meetings do not exist.
"""

import re
from collections.abc import Collection
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation

from referrals.models import AgendaItem, Attendance, ItemResponse, Meeting
from sehoglandet.models import AccessLog, ReferralGroup, ReferralGroupSeat
from tests import factories
from tests.factories import WITHOUT_FK, make_case
from tests.helpers import (
    MOST_QUERIES_A_PAGE,
    NASSJO_GROUP,
    NASSJO_MEMBERS,
    OUTSIDERS,
    PERSONAS,
    body,
    css_rules,
    every_row,
    messages_of,
    outcomes_by_persona,
    status_and_changed_tables,
    statuses_by_persona,
)


@pytest.fixture
def agenda(people):
    """A published coming meeting of Nässjö with two items: one every member may see, one FK may not."""
    meeting = factories.make_meeting(people)
    shared = factories.put_on_agenda(people, make_case(people, "Alva", "Brandt"), meeting, publish=False)
    hidden = factories.put_on_agenda(people, make_case(people, "Bo", "Cederholm", consent=WITHOUT_FK), meeting)
    meeting.refresh_from_db()
    return SimpleNamespace(meeting=meeting, shared=shared, hidden=hidden)


# Who may use which page


def _url(name: str, scenario) -> str:
    if name in ("meeting_list", "meeting_plan_year"):
        args = []
    elif name == "agenda_add":
        args = [scenario.shared.referral_id]
    elif name in ("item_respond", "item_decide"):
        args = [scenario.shared.pk]
    else:
        args = [scenario.meeting.pk]
    return reverse(f"referrals:{name}", args=args)


def _statuses(allowed: Collection[str], ok: int, outsiders: Collection[str]) -> dict[str, int]:
    return {p: ok if p in allowed else 404 if p in outsiders else 403 for p in PERSONAS}


MATRIX = {
    ("get", "meeting_list"): _statuses({*NASSJO_GROUP, *OUTSIDERS}, 200, set()),
    ("get", "meeting_plan_year"): _statuses({"coach.nassjo", "coach.eksjo"}, 200, set()),
    ("get", "meeting_detail"): _statuses(NASSJO_GROUP, 200, OUTSIDERS),
    # The scenario's meeting is not held yet: the minutes page sends everyone to the meeting.
    ("get", "meeting_minutes"): _statuses(NASSJO_GROUP, 302, OUTSIDERS),
    ("get", "meeting_agenda"): _statuses(NASSJO_GROUP, 200, OUTSIDERS),
    ("get", "item_decide"): _statuses({"coach.nassjo"}, 200, {"coach.eksjo"}),
    ("post", "meeting_publish"): _statuses({"coach.nassjo"}, 302, {"coach.eksjo"}),
    ("post", "meeting_attendance"): _statuses({"coach.nassjo"}, 302, {"coach.eksjo"}),
    ("post", "meeting_close"): _statuses({"coach.nassjo"}, 302, {"coach.eksjo"}),
    ("post", "agenda_add"): _statuses({"coach.nassjo"}, 302, {"coach.eksjo"}),
    ("post", "item_respond"): _statuses(NASSJO_MEMBERS, 302, {"fk.eksjo"}),
}


@pytest.mark.parametrize(("method", "name"), MATRIX)
def test_each_role_gets_exactly_the_meeting_pages_it_may_use(client_for, agenda, method, name):
    url = _url(name, agenda)
    data = {"meeting": agenda.meeting.pk, "kind": "new_referral", "active": "yes"} if method == "post" else None

    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: getattr(client, method)(url, data))

    assert statuses == MATRIX[method, name]


# The list of meetings


def test_the_coach_sees_the_groups_coming_and_past_meetings_in_every_status(client_for, people, agenda):
    planned = factories.make_meeting(people, days_ahead=40)
    past = factories.make_meeting(people, days_ahead=-20)

    response = client_for("coach.nassjo").get(reverse("referrals:meeting_list"))

    assert [m.pk for m in response.context["coming"]] == [agenda.meeting.pk, planned.pk]
    assert [m.pk for m in response.context["past"]] == [past.pk]
    assert "Planera årets möten" in response.content.decode()


def test_a_member_sees_only_published_and_held_meetings_of_their_group(client_for, people, agenda):
    factories.make_meeting(people, days_ahead=40)
    eksjo = factories.make_meeting(people, municipality_code="eksjo", coach="coach.eksjo")
    factories.services.publish_agenda(actor=people["coach.eksjo"], meeting=eksjo)

    response = client_for("fk.nassjo").get(reverse("referrals:meeting_list"))

    assert [m.pk for m in response.context["coming"]] == [agenda.meeting.pk]
    assert "Planera årets möten" not in response.content.decode()


def test_an_outsider_sees_none_of_another_municipalitys_meetings(client_for, agenda):
    response = client_for("coach.eksjo").get(reverse("referrals:meeting_list"))

    assert list(response.context["coming"]) == []
    assert "Nässjö" not in response.content.decode()


@pytest.mark.parametrize("username", ["coach.nassjo", "fk.nassjo"])
def test_the_list_takes_as_many_queries_for_eight_meetings_as_for_two(
    client_for, people, django_assert_num_queries, username
):
    def add_meetings(days: list[int]):
        for days_ahead in days:
            meeting = factories.make_meeting(people, days_ahead=days_ahead)
            factories.services.publish_agenda(actor=people["coach.nassjo"], meeting=meeting) if days_ahead > 0 else None
            Meeting.objects.filter(pk=meeting.pk, starts_at__lt=timezone.now()).update(status=Meeting.Status.HELD)

    client = client_for(username)
    url = reverse("referrals:meeting_list")
    add_meetings([10, -10])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warms the process-wide caches (content types), as any earlier test would have
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_meetings([20, 30, 50, -30, -40, -50])

    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["coming"]) + len(response.context["past"]) == 8


# How dates are written: ISO (2026-12-13) in tables and lists, the long form with the weekday and
# the year where a date stands alone (docs/architecture.md#front-end).


def long_date(day) -> str:
    with translation.override("sv"):
        return formats.date_format(day, "l j F Y")


def test_the_meeting_list_writes_the_meeting_and_its_deadline_as_iso_dates_that_do_not_wrap(client_for, agenda):
    meeting = agenda.meeting
    start = timezone.localtime(meeting.starts_at)

    page = body(client_for("coach.nassjo").get(reverse("referrals:meeting_list")))

    assert f"{start:%Y-%m-%d %H:%M}</a></td>" in page
    assert f'<td class="date">{meeting.item_deadline:%Y-%m-%d}</td>' in page
    assert f'<td class="date"><a href="{reverse("referrals:meeting_detail", args=[meeting.pk])}">' in page
    with translation.override("sv"):
        assert f"<td>{formats.date_format(meeting.item_deadline, 'j F')}</td>" not in page  # never without the year


def test_the_meeting_page_writes_its_day_and_deadline_in_the_long_form_with_the_year(client_for, agenda):
    meeting = agenda.meeting
    start = timezone.localtime(meeting.starts_at)

    page = body(client_for("coach.nassjo").get(reverse("referrals:meeting_detail", args=[meeting.pk])))

    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert long_date(start) in heading
    assert f"<dd>{long_date(start)}, {start:%H:%M}</dd>" in page
    assert f"<dd>{long_date(meeting.item_deadline)}</dd>" in page
    assert str(meeting.item_deadline.year) in long_date(meeting.item_deadline)


def test_dates_in_tables_do_not_break_across_lines():
    assert "white-space: nowrap;" in css_rules(".date")


# Planning the year


def _plan(client, people, **overrides):
    group = ReferralGroup.objects.get(municipality__code="nassjo")
    data = {
        "referral_group": group.pk,
        "year": timezone.localdate().year + 1,
        "weekday": 1,
        "nth": 2,
        "starts": "13:00",
        "location": "Stadshuset, rum 3",
        "deadline_days": 7,
        **overrides,
    }
    return client.post(reverse("referrals:meeting_plan_year"), data, follow=True)


def test_the_coach_plans_the_years_meetings_and_is_told_how_many(client_for, people):
    response = _plan(client_for("coach.nassjo"), people)

    next_year = timezone.localdate().year + 1
    meetings = Meeting.objects.filter(referral_group__municipality__code="nassjo").order_by("starts_at")
    assert meetings.count() == 12
    assert all(timezone.localtime(m.starts_at).weekday() == 1 for m in meetings)
    second_tuesday = [day for day in range(1, 15) if date(next_year, 1, day).weekday() == 1][1]
    assert timezone.localtime(meetings[0].starts_at).date() == date(next_year, 1, second_tuesday)
    assert meetings[0].item_deadline == date(next_year, 1, second_tuesday) - timedelta(days=7)
    assert meetings[0].location == "Stadshuset, rum 3"
    assert "12 möten planerades." in messages_of(response)


def test_planning_the_same_year_again_creates_nothing_and_says_so(client_for, people):
    client = client_for("coach.nassjo")
    _plan(client, people)

    response = _plan(client, people)

    assert Meeting.objects.count() == 12
    assert "Inget möte planerades: alla datum har passerat eller har redan ett möte." in messages_of(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", 2000, "Välj i år eller ett senare år."),
        ("nth", 5, "Välj ett giltigt alternativ."),
        ("starts", "25:00", "Fyll i en giltig tid."),
        ("deadline_days", -1, "Kontrollera att detta värde är större än eller lika med 0."),
    ],
)
def test_bad_input_to_the_plan_is_refused_in_swedish_and_nothing_is_created(client_for, people, field, value, message):
    response = _plan(client_for("coach.nassjo"), people, **{field: value})

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert Meeting.objects.count() == 0


def test_a_coach_cannot_plan_another_municipalitys_meetings(client_for, people):
    response = _plan(client_for("coach.eksjo"), people)

    assert "referral_group" in response.context["form"].errors
    assert Meeting.objects.count() == 0


# The meeting page


def test_the_coach_sees_every_item_with_name_and_reference(client_for, agenda):
    body = client_for("coach.nassjo").get(_url("meeting_detail", agenda)).content.decode()

    for item in (agenda.shared, agenda.hidden):
        assert item.referral.reference in body
        assert item.referral.person.full_name in body
        assert reverse("referrals:referral_detail", args=[item.referral_id]) in body
    assert "Samtycket täcker inte dessa medlemsorganisationer" in body
    assert "Försäkringskassan" in body


def test_fk_sees_the_consented_item_and_only_that_consent_is_missing_for_the_other(client_for, agenda):
    response = client_for("fk.nassjo").get(_url("meeting_detail", agenda))

    body = response.content.decode()
    assert agenda.shared.referral.reference in body
    assert "Alva Brandt" in body
    assert reverse("referrals:referral_detail", args=[agenda.shared.referral_id]) in body
    assert agenda.hidden.referral.reference not in body
    assert "Cederholm" not in body
    assert reverse("referrals:referral_detail", args=[agenda.hidden.referral_id]) not in body
    assert body.count("Samtycke för din organisation saknas.") == 1
    assert "Aktuell hos oss" in body


def test_a_member_whose_organisation_the_consent_covers_sees_both_items(client_for, agenda):
    body = client_for("af.nassjo").get(_url("meeting_detail", agenda)).content.decode()

    assert "Alva Brandt" in body
    assert "Bo Cederholm" in body
    assert "Samtycke för din organisation saknas." not in body


def test_a_member_does_not_see_a_planned_meeting(client_for, people):
    meeting = factories.make_meeting(people)

    response = client_for("fk.nassjo").get(reverse("referrals:meeting_detail", args=[meeting.pk]))

    assert response.status_code == 404


def test_a_meeting_that_does_not_exist_gives_404(client_for, agenda):
    response = client_for("coach.nassjo").get(reverse("referrals:meeting_detail", args=[agenda.meeting.pk + 1000]))

    assert response.status_code == 404


def test_showing_names_writes_one_list_row_to_the_access_log(client_for, people, agenda):
    client_for("fk.nassjo").get(_url("meeting_detail", agenda))

    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.object_id) == (
        people["fk.nassjo"],
        AccessLog.Action.LIST,
        "referrals.meeting",
        str(agenda.meeting.pk),
    )
    assert entry.organisation.code == "fk"


def test_a_page_without_names_writes_nothing_to_the_access_log(client_for, people):
    meeting = factories.make_meeting(people, days_ahead=-3)

    client_for("coach.nassjo").get(reverse("referrals:meeting_detail", args=[meeting.pk]))

    assert AccessLog.objects.count() == 0


def test_opening_the_meeting_page_changes_nothing_but_the_access_log(client_for, agenda):
    factories.hold_meeting_today(agenda.meeting)
    open_page = status_and_changed_tables(lambda client: client.get(_url("meeting_detail", agenda)), access_log=False)

    outcomes = outcomes_by_persona(client_for, NASSJO_GROUP, open_page)

    assert outcomes == dict.fromkeys(NASSJO_GROUP, (200, []))


@pytest.mark.parametrize("username", ["coach.nassjo", "fk.nassjo"])
def test_the_meeting_page_takes_as_many_queries_for_four_items_as_for_two(
    client_for, people, agenda, django_assert_num_queries, username
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(username)
    url = _url("meeting_detail", agenda)
    client.get(url)  # warms the process-wide caches (content types), as any earlier test would have
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    Meeting.objects.filter(pk=agenda.meeting.pk).update(status=Meeting.Status.PLANNED)
    agenda.meeting.refresh_from_db()
    factories.put_on_agenda(people, make_case(people, "Cim", "Dahl"), agenda.meeting, publish=False)
    factories.put_on_agenda(people, make_case(people, "Dan", "Ek", consent=WITHOUT_FK), agenda.meeting)
    make_case(people, "Eva", "Frisk")  # one more candidate for the coach

    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["items"]) == 4


def test_the_held_meeting_takes_as_many_queries_for_three_decisions_as_for_one_and_at_most_15(
    client_for, people, agenda, django_assert_num_queries
):
    """The page the coach keeps open while the group decides: attendance, missing parties, the items
    with their decisions (issue 15: at most MOST_QUERIES_A_PAGE)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    extra = [factories.put_on_agenda(people, make_case(people, f"Held{n}", "Möte"), agenda.meeting) for n in range(2)]
    factories.hold_meeting_today(agenda.meeting)
    factories.decide(people, agenda.shared)
    client = client_for("coach.nassjo")
    url = _url("meeting_detail", agenda)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for item in extra:
        factories.decide(people, item)
    Attendance.objects.create(meeting=agenda.meeting, seat=_seats()[0], present=True, attendee="Ombud")

    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert len(one) <= MOST_QUERIES_A_PAGE
    assert response.context["missing_parties"] and "attendance_form" in response.context
    assert sum(1 for item in response.context["items"] if item.recorded) == 3


# Adding to the agenda


def test_the_coach_adds_a_ready_referral_to_the_agenda(client_for, people):
    meeting = factories.make_meeting(people)
    referral = make_case(people, "Alva", "Brandt")
    client = client_for("coach.nassjo")
    assert referral.reference in client.get(reverse("referrals:meeting_detail", args=[meeting.pk])).content.decode()

    response = client.post(
        reverse("referrals:agenda_add", args=[referral.pk]),
        {"meeting": meeting.pk, "kind": "new_referral"},
        follow=True,
    )

    item = AgendaItem.objects.get()
    assert (item.meeting, item.referral, item.kind) == (meeting, referral, "new_referral")
    assert f"{referral.reference} står på dagordningen." in messages_of(response)
    assert response.redirect_chain[-1][0].endswith(f"#item-{item.pk}")


def test_adding_a_case_whose_consent_leaves_fk_out_says_fk_will_not_see_it(client_for, people):
    meeting = factories.make_meeting(people)
    referral = make_case(people, "Bo", "Cederholm", consent=WITHOUT_FK)

    response = client_for("coach.nassjo").post(
        reverse("referrals:agenda_add", args=[referral.pk]),
        {"meeting": meeting.pk, "kind": "new_referral"},
        follow=True,
    )

    assert AgendaItem.objects.count() == 1
    assert "Samtycket täcker inte Försäkringskassan: de kommer inte att se punkten." in messages_of(response)


def test_a_sent_back_referral_and_an_enrolled_participant_can_go_on_the_next_agenda(client_for, people, agenda):
    factories.hold_meeting_today(agenda.meeting)
    factories.decide(people, agenda.shared, "send_back")
    factories.decide(people, agenda.hidden, "enrol")
    next_meeting = factories.make_meeting(people, days_ahead=30)
    waiting = make_case(people, "Eva", "Frisk")

    response = client_for("coach.nassjo").get(reverse("referrals:meeting_detail", args=[next_meeting.pk]))

    kinds = {referral.pk: referral.default_kind for referral in response.context["candidates"]}
    assert kinds == {
        agenda.shared.referral_id: AgendaItem.Kind.SENT_BACK,
        agenda.hidden.referral_id: AgendaItem.Kind.FOLLOW_UP,
        waiting.pk: AgendaItem.Kind.NEW_REFERRAL,
    }


def test_the_coach_finds_a_case_for_the_agenda_by_name_and_sees_only_the_matches(client_for, people):
    meeting = factories.make_meeting(people)
    wanted = make_case(people, "Alva", "Brandt")
    other = make_case(people, "Bo", "Cederholm")
    client = client_for("coach.nassjo")

    response = client.get(reverse("referrals:meeting_detail", args=[meeting.pk]), {"q": "alv bra"})

    assert list(response.context["candidates"]) == [wanted]
    page = response.content.decode()
    assert "Sök på namn, personnummer eller ärendenummer" in page
    assert wanted.reference in page
    assert other.reference not in page


def test_the_coach_finds_a_case_for_the_agenda_by_its_whole_personnummer(client_for, people):
    meeting = factories.make_meeting(people)
    wanted = make_case(people, "Alva", "Brandt")
    make_case(people, "Bo", "Cederholm")

    response = client_for("coach.nassjo").get(
        reverse("referrals:meeting_detail", args=[meeting.pk]), {"q": wanted.person.identity_number}
    )

    assert list(response.context["candidates"]) == [wanted]


def test_the_add_section_offers_the_first_cases_and_says_to_search_for_the_others(client_for, people, monkeypatch):
    monkeypatch.setattr("referrals.views.meetings.CANDIDATE_LIMIT", 2)
    meeting = factories.make_meeting(people)
    cases = sorted((make_case(people, name, "Holm") for name in ("Ada", "Bea", "Cim")), key=lambda r: r.reference)
    client = client_for("coach.nassjo")
    url = reverse("referrals:meeting_detail", args=[meeting.pk])

    response = client.get(url)
    assert list(response.context["candidates"]) == cases[:2]
    assert "De första 2 ärendena i ordning efter ärendenummer visas: sök för att hitta de andra." in body(response)

    response = client.get(url, {"q": "Holm"})
    assert list(response.context["candidates"]) == cases[:2]
    assert "Mer än 2 ärenden matchar: skriv mer av namnet, eller hela personnumret." in body(response)


def test_a_search_for_the_agenda_that_finds_nothing_says_so_and_a_part_of_a_personnummer_is_refused(client_for, people):
    meeting = factories.make_meeting(people)
    make_case(people, "Alva", "Brandt")
    client = client_for("coach.nassjo")
    url = reverse("referrals:meeting_detail", args=[meeting.pk])

    response = client.get(url, {"q": "Zelda"})
    assert response.context["candidates"] == []
    assert "Inget ärende som kan tas upp på dagordningen matchar sökningen." in body(response)

    response = client.get(url, {"q": "19940309"})
    assert response.context["candidates"] == []
    assert "Skriv hela personnumret" in body(response)


@pytest.mark.parametrize("cases", [1, 3])
def test_the_meeting_page_searched_for_a_case_takes_the_same_queries_however_many_match(
    client_for, people, django_assert_num_queries, monkeypatch, cases
):
    monkeypatch.setattr("referrals.views.meetings.CANDIDATE_LIMIT", 2)
    meeting = factories.make_meeting(people)
    for name in ["Ada", "Bea", "Cim"][:cases]:
        make_case(people, name, "Holm")
    client = client_for("coach.nassjo")
    url = reverse("referrals:meeting_detail", args=[meeting.pk])
    client.get(url, {"q": "Holm"})  # warms the process-wide caches (content types)

    with django_assert_num_queries(QUERIES_FOR_THE_MEETING_PAGE_SEARCHED):
        response = client.get(url, {"q": "Holm"})

    assert len(response.context["candidates"]) == min(cases, 2)


# The session, user, second-factor device and memberships; the meeting, its seats, agenda,
# consultations and the consent per item; the cases found (one query, at most CANDIDATE_LIMIT + 1,
# never all candidates); the access-log row. (The session, renewed at sign-in, is not written again
# within the minute.)
QUERIES_FOR_THE_MEETING_PAGE_SEARCHED = 11


def test_a_meeting_in_the_past_is_refused_with_a_clear_message_and_nothing_is_saved(client_for, people):
    meeting = factories.make_meeting(people, days_ahead=-7)
    referral = make_case(people, "Alva", "Brandt")

    response = client_for("coach.nassjo").post(
        reverse("referrals:agenda_add", args=[referral.pk]),
        {"meeting": meeting.pk, "kind": "new_referral"},
        follow=True,
    )

    assert AgendaItem.objects.count() == 0
    shown = messages_of(response)
    assert f"{referral.reference} lades inte till på dagordningen." in shown
    assert len(shown) >= 2


def test_an_unknown_meeting_or_kind_is_refused_in_swedish_and_nothing_is_saved(client_for, people):
    meeting = factories.make_meeting(people)
    referral = make_case(people, "Alva", "Brandt")
    client = client_for("coach.nassjo")
    url = reverse("referrals:agenda_add", args=[referral.pk])
    next_url = reverse("referrals:meeting_detail", args=[meeting.pk])

    first = client.post(url, {"meeting": meeting.pk + 1000, "kind": "new_referral", "next": next_url}, follow=True)
    second = client.post(url, {"meeting": meeting.pk, "kind": "party", "next": next_url}, follow=True)

    assert AgendaItem.objects.count() == 0
    assert "Välj ett av remittentgruppens möten." in messages_of(first)
    assert "Välj vilken sorts punkt det är." in messages_of(second)


def test_the_coach_of_another_municipality_cannot_add_nassjos_referral(client_for, people):
    meeting = factories.make_meeting(people, municipality_code="eksjo", coach="coach.eksjo")
    referral = make_case(people, "Alva", "Brandt")

    response = client_for("coach.eksjo").post(
        reverse("referrals:agenda_add", args=[referral.pk]), {"meeting": meeting.pk, "kind": "new_referral"}
    )

    assert response.status_code == 404
    assert AgendaItem.objects.count() == 0


def test_an_offsite_next_address_is_ignored(client_for, people):
    meeting = factories.make_meeting(people)
    referral = make_case(people, "Alva", "Brandt")

    response = client_for("coach.nassjo").post(
        reverse("referrals:agenda_add", args=[referral.pk]),
        {"meeting": meeting.pk, "kind": "new_referral", "next": "https://evil.example/"},
    )

    assert response.url.startswith(reverse("referrals:meeting_detail", args=[meeting.pk]))


@pytest.mark.parametrize(
    "next_value",
    [
        "'; DROP TABLE referrals_referral; --",
        "home",
        "//evil.example/",
        "javascript:alert(1)",
        "/finns-inte/",
        "/\x00/",
    ],
)
def test_a_next_that_is_not_a_local_page_is_ignored_and_a_retry_does_not_fail(client_for, people, next_value):
    meeting = factories.make_meeting(people)
    referral = make_case(people, "Alva", "Brandt")
    client = client_for("coach.nassjo")
    data = {"meeting": meeting.pk, "kind": "new_referral", "next": next_value}

    first = client.post(reverse("referrals:agenda_add", args=[referral.pk]), data)
    retry = client.post(reverse("referrals:agenda_add", args=[referral.pk]), data, follow=True)

    assert first.status_code == 302
    assert first.url.startswith(reverse("referrals:meeting_detail", args=[meeting.pk]))
    assert AgendaItem.objects.filter(referral=referral).count() == 1
    assert retry.status_code == 200
    assert "Ärendet står redan på det här mötets dagordning." in messages_of(retry)


# Publishing


def test_publishing_the_agenda_emails_the_members_a_link_without_personal_data(
    client_for, people, django_capture_on_commit_callbacks
):
    meeting = factories.make_meeting(people)
    item = factories.put_on_agenda(people, make_case(people, "Alva", "Brandt"), meeting, publish=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("coach.nassjo").post(
            _url("meeting_publish", SimpleNamespace(meeting=meeting)), follow=True
        )

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert any("Dagordningen är publicerad." in m for m in messages_of(response))
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        f"{username}@example.se" for username in NASSJO_MEMBERS
    )
    for message in mail.outbox:
        assert reverse("referrals:meeting_detail", args=[meeting.pk]) in message.body
        for secret in ("Alva", "Brandt", item.referral.reference, item.referral.person.identity_display):
            assert secret not in message.subject + message.body


def test_publishing_twice_is_refused_with_a_message(client_for, agenda):
    published_at = agenda.meeting.published_at

    response = client_for("coach.nassjo").post(_url("meeting_publish", agenda), follow=True)

    agenda.meeting.refresh_from_db()
    assert agenda.meeting.published_at == published_at
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# Attendance and closing


def _seats() -> list[ReferralGroupSeat]:
    return list(
        ReferralGroupSeat.objects.filter(referral_group__municipality__code="nassjo").select_related("organisation")
    )


def test_the_coach_records_attendance_and_sees_which_party_is_missing(client_for, agenda):
    factories.hold_meeting_today(agenda.meeting)
    seats = _seats()
    fk = next(seat for seat in seats if seat.organisation.code == "fk")
    data = {}
    for seat in seats:
        if seat != fk:
            data[f"present_{seat.pk}"] = "on"
            data[f"attendee_{seat.pk}"] = f"Ombud {seat.organisation.short_name}"

    response = client_for("coach.nassjo").post(_url("meeting_attendance", agenda), data, follow=True)

    rows = {row.seat_id: row for row in Attendance.objects.filter(meeting=agenda.meeting)}
    assert len(rows) == 4
    assert not rows[fk.pk].present
    assert rows[seats[0].pk if seats[0] != fk else seats[1].pk].attendee.startswith("Ombud ")
    assert "Närvaro sparad." in messages_of(response)
    body = response.content.decode()
    assert "Parter som saknas" in body
    assert [o.code for o in response.context["missing_parties"]] == ["fk"]


def test_a_seat_marked_present_without_a_name_is_refused_and_nothing_is_saved(client_for, agenda):
    factories.hold_meeting_today(agenda.meeting)
    seat = _seats()[0]

    response = client_for("coach.nassjo").post(_url("meeting_attendance", agenda), {f"present_{seat.pk}": "on"})

    assert response.status_code == 200
    assert "Ange vem som deltog." in response.content.decode()
    assert Attendance.objects.count() == 0


def test_a_name_without_present_is_refused_and_nothing_is_saved(client_for, agenda):
    factories.hold_meeting_today(agenda.meeting)
    seat = _seats()[0]

    response = client_for("coach.nassjo").post(_url("meeting_attendance", agenda), {f"attendee_{seat.pk}": "Kim"})

    assert "Kryssa i närvarande, eller ta bort namnet." in response.content.decode()
    assert Attendance.objects.count() == 0


def test_attendance_is_asked_for_only_once_the_meeting_day_has_come(client_for, agenda):
    body = client_for("coach.nassjo").get(_url("meeting_detail", agenda)).content.decode()

    assert 'id="attendance"' not in body
    assert "Parter som saknas" not in body


def test_the_coach_marks_the_meeting_as_held(client_for, agenda):
    factories.hold_meeting_today(agenda.meeting)

    response = client_for("coach.nassjo").post(_url("meeting_close", agenda), follow=True)

    agenda.meeting.refresh_from_db()
    assert agenda.meeting.status == Meeting.Status.HELD
    assert "Mötet är markerat som hållet." in messages_of(response)


def test_a_meeting_that_has_not_taken_place_cannot_be_marked_as_held(client_for, agenda):
    response = client_for("coach.nassjo").post(_url("meeting_close", agenda), follow=True)

    agenda.meeting.refresh_from_db()
    assert agenda.meeting.status == Meeting.Status.PUBLISHED
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# A long agenda, a page at a time


@pytest.fixture
def long_agenda(people, agenda, monkeypatch):
    """The agenda with a third item, AF's and FK's both, on pages of two items
    (selectors.AGENDA_PAGE_SIZE): the third item is alone on page 2."""
    monkeypatch.setattr("referrals.selectors.AGENDA_PAGE_SIZE", 2)
    Meeting.objects.filter(pk=agenda.meeting.pk).update(status=Meeting.Status.PLANNED)
    agenda.meeting.refresh_from_db()
    agenda.third = factories.put_on_agenda(people, make_case(people, "Cim", "Dahl"), agenda.meeting)
    return agenda


def test_a_long_agenda_is_read_a_page_at_a_time_and_its_items_keep_their_numbers(client_for, long_agenda):
    client = client_for("coach.nassjo")
    url = _url("meeting_detail", long_agenda)

    first, second = client.get(url), client.get(url, {"page": "2"})

    third = long_agenda.third.referral.reference
    assert [item.pk for item in first.context["items"]] == [long_agenda.shared.pk, long_agenda.hidden.pk]
    assert "Dagordningen har 3 punkter. Punkt 1–2 visas." in body(first)
    assert "Sida 1 av 2" in body(first) and third not in body(first)
    assert [item.pk for item in second.context["items"]] == [long_agenda.third.pk]
    assert f"Punkt 3: {third}" in body(second)
    assert "Dagordningen har 3 punkter. Punkt 3 visas." in body(second)
    assert long_agenda.shared.referral.reference not in body(second)


def test_a_page_number_out_of_range_or_not_a_number_shows_a_page_of_the_agenda(client_for, long_agenda):
    client = client_for("fk.nassjo")
    url = _url("meeting_detail", long_agenda)

    beyond, nonsense = client.get(url, {"page": "99"}), client.get(url, {"page": "två"})

    assert (beyond.status_code, [item.pk for item in beyond.context["items"]]) == (200, [long_agenda.third.pk])
    assert (nonsense.status_code, nonsense.context["page"].number) == (200, 1)


def test_a_member_answering_an_item_on_the_second_page_comes_back_to_it(client_for, long_agenda):
    client = client_for("af.nassjo")

    response = client.post(reverse("referrals:item_respond", args=[long_agenda.third.pk]), {"active": "no"})

    meeting_url = _url("meeting_detail", long_agenda)
    assert response.url == f"{meeting_url}?page=2#item-{long_agenda.third.pk}"
    assert ItemResponse.objects.get().item == long_agenda.third


def test_a_refused_answer_on_the_second_page_is_shown_there_with_its_error(client_for, long_agenda):
    response = client_for("af.nassjo").post(
        reverse("referrals:item_respond", args=[long_agenda.third.pk]), {"active": "maybe", "note": "Kvar"}
    )

    assert response.status_code == 200
    assert [item.pk for item in response.context["items"]] == [long_agenda.third.pk]
    assert "Ange om personen är aktuell hos er organisation." in body(response)
    assert "Kvar</textarea>" in body(response)
    assert ItemResponse.objects.count() == 0


# Members' answers


def test_a_member_marks_the_person_active_with_them_and_adds_a_note(client_for, people, agenda):
    response = client_for("fk.nassjo").post(
        _url("item_respond", agenda), {"active": "yes", "note": "Sjukpenning sedan mars."}, follow=True
    )

    answer = ItemResponse.objects.get()
    assert (answer.item, answer.organisation.code, answer.active, answer.note, answer.responded_by) == (
        agenda.shared,
        "fk",
        "yes",
        "Sjukpenning sedan mars.",
        people["fk.nassjo"],
    )
    assert f"Ditt svar om {agenda.shared.referral.reference} är sparat." in messages_of(response)
    assert "Er organisations svar: Aktuell hos oss" in response.content.decode()


def test_a_member_changes_their_answer_without_adding_a_second(client_for, agenda):
    client = client_for("fk.nassjo")
    client.post(_url("item_respond", agenda), {"active": "yes"})

    client.post(_url("item_respond", agenda), {"active": "no", "note": ""})

    assert list(ItemResponse.objects.values_list("active", flat=True)) == ["no"]


def test_an_answer_without_a_choice_is_refused_in_swedish_and_nothing_is_saved(client_for, agenda):
    response = client_for("fk.nassjo").post(_url("item_respond", agenda), {"active": "maybe", "note": "x"})

    assert response.status_code == 200
    assert "Ange om personen är aktuell hos er organisation." in response.content.decode()
    assert ItemResponse.objects.count() == 0


def test_answering_once_the_meeting_has_begun_is_refused_and_nothing_is_saved(client_for, people, agenda):
    factories.hold_meeting_today(agenda.meeting)

    response = client_for("fk.nassjo").post(_url("item_respond", agenda), {"active": "yes"}, follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert ItemResponse.objects.count() == 0
    assert "Spara ditt svar" not in response.content.decode()


def test_a_member_guessing_an_item_outside_their_consent_gets_404_and_the_attempt_is_logged(client_for, people, agenda):
    client = client_for("fk.nassjo")
    before = every_row(access_log=False)

    response = client.post(reverse("referrals:item_respond", args=[agenda.hidden.pk]), {"active": "yes"})

    assert response.status_code == 404
    assert every_row(access_log=False) == before
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_type, entry.object_id, entry.person_id) == (
        people["fk.nassjo"],
        AccessLog.Action.REFUSED,
        "referrals.agendaitem",
        str(agenda.hidden.pk),
        agenda.hidden.referral.person_id,
    )
    assert entry.purpose == "Nekad: samtycke saknas för din organisation"


def test_a_member_of_another_group_guessing_an_item_gets_404_and_the_attempt_is_logged(client_for, people, agenda):
    response = client_for("fk.eksjo").post(_url("item_respond", agenda), {"active": "yes"})

    assert response.status_code == 404
    assert ItemResponse.objects.count() == 0
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_id, entry.person_id) == (
        people["fk.eksjo"],
        AccessLog.Action.REFUSED,
        str(agenda.shared.pk),
        None,
    )
    assert entry.purpose.startswith("Nekad")


def test_the_coach_sees_the_members_answers(client_for, people, agenda):
    factories.services.respond_to_item(actor=people["af.nassjo"], item=agenda.shared, active="yes", note="Inskriven.")

    body = client_for("coach.nassjo").get(_url("meeting_detail", agenda)).content.decode()

    assert "Arbetsförmedlingen:" in body
    assert "Inskriven." in body


def test_a_member_sees_only_their_own_organisations_answer(client_for, people, agenda):
    factories.services.respond_to_item(actor=people["af.nassjo"], item=agenda.shared, active="yes", note="Inskriven.")

    body = client_for("fk.nassjo").get(_url("meeting_detail", agenda)).content.decode()

    assert "Inskriven." not in body


def test_the_item_deadline_is_shown(client_for, agenda):
    body = client_for("fk.nassjo").get(_url("meeting_detail", agenda)).content.decode()

    deadline = agenda.meeting.item_deadline
    assert deadline == timezone.localtime(agenda.meeting.starts_at).date() - timedelta(days=7)
    assert "Sista dag att anmäla ärenden" in body
