"""Adopted (fastställda) reports: the förbundschef adopts a half-year or year that has ended, and from
then on its report, for all municipalities and for each, shows the adopted figures, on the page and in
the files, however the live figures move (docs/domain.md#adopted-reports).

Adopting renders seven PDFs; where the PDF's content is not the point, `quick_pdf` stands in for
WeasyPrint.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import archive, exports, selectors, services
from reporting.models import AdoptedReport, AdoptedReportScope
from reporting.report import build_report, period_from_code
from sehoglandet import records
from sehoglandet.models import AccessLog, CaseEvent, Municipality
from tests import factories
from tests.helpers import (
    MANAGERS,
    PERSONAS,
    body,
    changed_tables,
    every_row,
    messages_of,
    shows,
    statuses_by_persona,
    today,
)

from .test_report_views import H1, enrolment, known_dataset, report_rows, text_of

ADOPTED = "2026H1"
LIVE = {**H1, "live": "1"}


def page_url() -> str:
    return reverse("reporting:report_page")


def confirm_url(code: str = ADOPTED) -> str:
    return reverse("reporting:report_adopt_confirm", args=[code])


def adopt_url(code: str = ADOPTED) -> str:
    return reverse("reporting:report_adopt", args=[code])


def list_url() -> str:
    return reverse("reporting:adopted_list")


def pdf_url(adoption: AdoptedReport, scope: str) -> str:
    return reverse("reporting:adopted_pdf", args=[adoption.pk, scope])


def texts(figures) -> list[str]:
    return [figure.text.replace("\xa0", " ") for figure in figures]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def current_half_year() -> str:
    return selectors.half_year_of(today()).code


@pytest.fixture
def quick_pdf(monkeypatch):
    """A stand-in for WeasyPrint that names the period and the scope."""
    monkeypatch.setattr(
        exports, "render_pdf", lambda shown: f"%PDF-stand-in {shown.period_code} {shown.scope}".encode()
    )


@pytest.fixture
def known(people):
    """2026 H1 (see known_dataset): in Nässjö 6 women, 5 men and 1 other; in Eksjö 2 men."""
    return known_dataset(people)


@pytest.fixture
def adopted(people, known, quick_pdf) -> AdoptedReport:
    """2026 H1 adopted by the förbundschef."""
    return services.adopt_report(actor=people["forbundschef"], period_code=ADOPTED)


def a_month_later(adoption: AdoptedReport) -> None:
    """The adoption took place a month ago."""
    AdoptedReport.objects.filter(pk=adoption.pk).update(adopted_at=timezone.now() - timedelta(days=31))


def late_registration(people) -> None:
    """Three women enrolled in Nässjö in March 2026, registered only now: 9 women active in 2026 H1
    where 6 were adopted, multiples of 3 and so published as they are."""
    for _number in range(3):
        enrolment(people, gender="woman", decided=date(2026, 3, 1))


def live_figures(municipality: str | None = None) -> exports.ShownReport:
    """The live report of 2026 H1 as the page would show it if it were not adopted."""
    scope = factories.municipality(municipality) if municipality else None
    return exports.present(build_report(period_from_code(ADOPTED), municipality=scope))


def scope_of(adoption: AdoptedReport, municipality: str | None = None) -> AdoptedReportScope:
    return (
        adoption.scopes.get(municipality__code=municipality) if municipality else adoption.scopes.get(municipality=None)
    )


# The report as data: to_data and from_data


@pytest.mark.parametrize("municipality", [None, "nassjo"])
def test_a_shown_report_survives_json_unchanged(known, municipality):
    scope = factories.municipality(municipality) if municipality else None
    shown = exports.present(build_report(period_from_code(ADOPTED), municipality=scope, generated_by="Ingrid Björk"))

    stored = json.loads(json.dumps(archive.to_data(shown), cls=DjangoJSONEncoder))

    assert archive.from_data(stored) == shown


@dataclass(frozen=True)
class Leaf:
    text: str
    number: int | Decimal | None = None
    on: date | None = None


@dataclass(frozen=True)
class Tree:
    name: str
    flag: bool
    when: datetime
    ratio: float
    leaves: list[Leaf]
    best: Leaf | None
    pair: tuple[int, str]
    extra: dict[str, Decimal] = field(default_factory=dict)


def read_tree(data) -> Tree:
    return archive._read(data, Tree)


def test_any_tree_of_frozen_dataclasses_survives_json_unchanged():
    tree = Tree(
        name="träd",
        flag=False,
        when=timezone.localtime(),
        ratio=0.5,
        leaves=[Leaf("a", 3), Leaf("b", Decimal("0.800"), date(2026, 6, 30)), Leaf("c")],
        best=None,
        pair=(1, "ett"),
        extra={"median": Decimal("4.1")},
    )

    stored = json.loads(json.dumps(archive.to_data(tree)))

    assert read_tree(stored) == tree
    assert stored["leaves"][1]["number"] == {"$decimal": "0.800"}


def test_a_field_the_stored_data_lacks_takes_its_default_and_one_it_has_no_more_is_ignored():
    stored = {"text": "a", "removed_since": 7}

    assert archive._read(stored, Leaf) == Leaf("a")


def test_the_live_report_differs_only_in_what_it_shows_not_when_or_by_whom(people, known):
    period = period_from_code(ADOPTED)
    first = exports.present(build_report(period, generated_by="Ingrid Björk"))
    again = exports.present(build_report(period, generated_by="Someone Else"))

    assert not archive.differs(first, again)

    late_registration(people)
    assert archive.differs(first, exports.present(build_report(period)))


# Adopting: the service


def test_the_forbundschef_adopts_a_half_year_for_all_municipalities_and_each_in_one_act(people, known):
    adoption = services.adopt_report(actor=people["forbundschef"], period_code="2026h1")

    assert (adoption.period_code, adoption.period_start, adoption.period_end) == (
        "2026H1",
        date(2026, 1, 1),
        date(2026, 6, 30),
    )
    assert adoption.adopted_by == people["forbundschef"]
    scopes = list(adoption.scopes.select_related("municipality"))
    assert sorted(scope.municipality.code if scope.municipality else "" for scope in scopes) == [
        "",
        *sorted(Municipality.objects.values_list("code", flat=True)),
    ]
    everyone = scope_of(adoption)
    shown = archive.from_data(everyone.figures)
    assert shown.generated_by == "Ingrid Björk"
    active = texts(shown.table("participants").rows[0].figures)
    assert active == texts(live_figures().table("participants").rows[0].figures)
    assert active[0] == "6"
    assert not archive.differs(shown, live_figures())
    text = pdf_text(bytes(everyone.pdf))
    assert "Första halvåret 2026 (2026-01-01 – 2026-06-30)" in text
    assert f"Aktiva någon gång under perioden {' '.join(active)}" in text
    assert "Eksjö" in pdf_text(bytes(scope_of(adoption, "eksjo").pdf))
    (event,) = CaseEvent.objects.filter(code="report.adopted")
    assert (event.actor, event.record_type, event.record_id) == (
        people["forbundschef"],
        "reporting.adoptedreport",
        str(adoption.pk),
    )
    assert event.person_id is None
    assert adoption.history.get().history_change_reason == "report.adopted"


@pytest.mark.parametrize("username", ["chef.nassjo", "coach.nassjo", "auditor", "admin", "nobody"])
def test_no_one_but_the_forbundschef_may_adopt(people, known, quick_pdf, username):
    with pytest.raises(PermissionDenied):
        services.adopt_report(actor=people[username], period_code=ADOPTED)

    assert not AdoptedReport.objects.exists()


def test_a_period_is_adopted_once(people, adopted):
    with pytest.raises(ValidationError) as refused:
        services.adopt_report(actor=people["forbundschef"], period_code=ADOPTED)

    assert refused.value.code == "adopted"
    assert shows(refused.value.messages[0], ("redan fastställts", "has already been adopted: by Ingrid Björk"))
    assert AdoptedReport.objects.count() == 1
    assert AdoptedReportScope.objects.count() == 7


def test_the_database_refuses_a_second_adoption_of_a_period(people, adopted):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdoptedReport.objects.create(
            period_code=ADOPTED,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 6, 30),
            adopted_by=people["forbundschef"],
        )


def test_the_database_refuses_two_scopes_for_all_municipalities(adopted):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdoptedReportScope.objects.create(adoption=adopted, municipality=None, figures={}, pdf=b"")


@pytest.mark.parametrize(
    ("code", "reason", "message"),
    [
        (lambda: current_half_year(), "not_ended", ("har inte slutat", "has not ended yet")),
        (lambda: str(today().year), "not_ended", ("har inte slutat", "has not ended yet")),
        (lambda: str(today().year + 1), "not_ended", ("har inte slutat", "has not ended yet")),
        (lambda: "2026-01-01–2026-03-31", "unknown", ("Okänd period", "Unknown period")),
        (lambda: "2026H3", "unknown", ("Okänd period", "Unknown period")),
    ],
)
def test_a_period_that_cannot_be_adopted_is_refused_with_a_message_and_nothing_saved(
    people, quick_pdf, code, reason, message
):
    before = every_row()

    with pytest.raises(ValidationError) as refused:
        services.adopt_report(actor=people["forbundschef"], period_code=code())

    assert refused.value.code == reason
    assert shows(" ".join(refused.value.messages), message)
    assert changed_tables(before, every_row()) == []


def test_a_period_that_ended_yesterday_may_be_adopted(people, quick_pdf):
    last = selectors.half_year_of(today()).previous()

    adoption = services.adopt_report(actor=people["forbundschef"], period_code=last.code)

    assert adoption.period_end < today()


# A month later, after a late registration


def test_a_month_later_the_page_shows_the_adopted_figures_and_says_the_live_ones_have_moved(
    client_for, people, adopted
):
    stored = scope_of(adopted).figures
    a_month_later(adopted)
    late_registration(people)

    response = client_for("forbundschef").get(page_url(), H1)
    text = text_of(response)

    assert archive.to_data(response.context["report"]) == stored
    adopted_active = archive.from_data(stored).table("participants").rows[0]
    assert texts(response.context["report"].table("participants").rows[0].figures) == texts(adopted_active.figures)
    assert adopted_active.figures[0].text == "6"
    adopted_on = (today() - timedelta(days=31)).isoformat()
    assert shows(text, (f"Fastställd {adopted_on} av Ingrid Björk", f"Adopted on {adopted_on} by Ingrid Björk"))
    assert 'id="live-changed"' in body(response)
    assert f'href="{page_url()}?kind=H1&amp;year=2026&amp;live=1"' in body(response)

    live = client_for("forbundschef").get(page_url(), LIVE)

    live_active = live.context["report"].table("participants").rows[0]
    assert texts(live_active.figures) == texts(live_figures().table("participants").rows[0].figures)
    assert live_active.figures[0].text == "9"
    assert shows(text_of(live), ("inte fastställda", "Live figures, not adopted."))
    assert 'id="live-changed"' not in body(live)
    assert f'href="{page_url()}?kind=H1&amp;year=2026"' in body(live)


def test_without_later_registrations_the_page_says_nothing_has_moved(client_for, adopted):
    response = client_for("forbundschef").get(page_url(), H1)

    assert 'id="adoption-banner"' in body(response)
    assert 'id="live-changed"' not in body(response)
    assert shows(
        text_of(client_for("forbundschef").get(page_url(), LIVE)),
        ("samma som de fastställda", "They are the same as the adopted figures."),
    )


def test_the_files_of_an_adopted_period_are_the_archive_and_live_1_gives_the_live_figures(client_for, people, adopted):
    a_month_later(adopted)
    late_registration(people)
    client = client_for("forbundschef")

    adopted_active = archive.from_data(scope_of(adopted).figures).table("participants").rows[0].figures
    live_active = live_figures().table("participants").rows[0].figures
    assert (adopted_active[0].number, live_active[0].number) == (6, 9)

    pdf = client.get(reverse("reporting:report_pdf"), H1)
    assert pdf.content == bytes(scope_of(adopted).pdf)
    assert pdf["Content-Disposition"] == 'attachment; filename="statistik-2026H1-alla-faststalld.pdf"'
    workbook = load_workbook(io.BytesIO(client.get(reverse("reporting:report_xlsx"), H1).content))
    assert [cell.value for cell in workbook["Deltagare"][4]][1:] == [figure.number for figure in adopted_active]
    content = client.get(reverse("reporting:report_csv"), H1).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert ["Deltagare", "Aktiva någon gång under perioden", *(figure.plain for figure in adopted_active)] in [
        row[:6] for row in rows
    ]

    live_workbook = load_workbook(io.BytesIO(client.get(reverse("reporting:report_xlsx"), LIVE).content))
    assert [cell.value for cell in live_workbook["Deltagare"][4]][1:] == [figure.number for figure in live_active]
    live_pdf = client.get(reverse("reporting:report_pdf"), LIVE)
    assert f"Aktiva någon gång under perioden {' '.join(texts(live_active))}" in pdf_text(live_pdf.content)
    assert live_pdf["Content-Disposition"] == 'attachment; filename="statistik-2026H1-alla.pdf"'
    purposes = [row.purpose for row in report_rows()]
    assert shows(purposes[0], ("Fastställd statistik för Första halvåret 2026", "Adopted statistics for"))
    assert purposes[-1] == "Statistik för Första halvåret 2026 (2026-01-01 – 2026-06-30), Alla kommuner"


def test_a_manager_sees_the_adopted_report_of_their_own_municipality(client_for, people, adopted):
    nassjo = scope_of(adopted, "nassjo")
    late_registration(people)

    response = client_for("chef.nassjo").get(page_url(), H1)

    assert archive.to_data(response.context["report"]) == nassjo.figures
    assert response.context["report"].scope == "Nässjö"
    assert 'id="live-changed"' in body(response)
    assert 'id="adoption-banner"' in body(response)
    pdf = client_for("chef.nassjo").get(reverse("reporting:report_pdf"), H1)
    assert pdf.content == b"%PDF-stand-in 2026H1 N\xc3\xa4ssj\xc3\xb6"


def test_own_dates_over_an_adopted_half_year_get_a_clear_message_and_no_figures(client_for, people, adopted):
    late_registration(people)

    response = client_for("forbundschef").get(page_url(), {"kind": "dates", "start": "2026-01-01", "end": "2026-06-30"})

    assert "Välj en period i listan." in body(response)
    assert response.context["report"] is None
    assert 'id="adoption-banner"' not in body(response)


# The report page offers the adoption


def test_the_report_page_offers_the_forbundschef_to_adopt_a_half_year_that_has_ended(client_for, known):
    page = body(client_for("forbundschef").get(page_url(), H1))

    assert f'href="{confirm_url()}"' in page


@pytest.mark.parametrize(
    ("username", "query"),
    [
        ("chef.nassjo", H1),
        ("forbundschef", {"kind": "year", "year": str(today().year)}),
        ("forbundschef", {"kind": "H1", "year": str(today().year + 1)}),
    ],
)
def test_the_report_page_offers_no_adoption_to_a_manager_or_for_a_period_not_ended(client_for, known, username, query):
    response = client_for(username).get(page_url(), query)

    assert response.context["report"] is not None
    assert "/rapporter/faststall/" not in body(response)


def test_the_report_page_links_to_the_adopted_reports(client_for):
    assert f'href="{list_url()}"' in body(client_for("chef.nassjo").get(page_url()))


def test_an_adopted_period_offers_no_second_adoption(client_for, adopted):
    assert "/rapporter/faststall/" not in body(client_for("forbundschef").get(page_url(), H1))


# Who may adopt, and the confirmation


def test_the_confirmation_is_for_the_forbundschef_only(client_for, known):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(confirm_url()))

    assert statuses == {username: 200 if username == "forbundschef" else 403 for username in PERSONAS}


def test_adopting_is_for_the_forbundschef_only(client_for, known, quick_pdf):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.post(adopt_url()))

    assert statuses == {username: 302 if username == "forbundschef" else 403 for username in PERSONAS}
    assert not AdoptedReport.objects.exists()


def test_the_confirmation_says_what_will_happen_and_changes_nothing(client_for, known):
    client = client_for("forbundschef")
    before = every_row()

    response = client.get(confirm_url())

    page = text_of(response)
    assert shows(page, ("Första halvåret 2026", "2026-01-01 – 2026-06-30"))
    assert shows(page, ("6 kommunerna", "each of the 6 municipalities"))
    assert f'action="{adopt_url()}"' in body(response)
    assert changed_tables(before, every_row()) == []


def test_the_forbundschef_adopts_through_the_confirmation_and_sees_the_banner(client_for, people, known, quick_pdf):
    client = client_for("forbundschef")

    response = client.post(adopt_url(), follow=True)

    assert response.redirect_chain[-1][0] == f"{page_url()}?kind=H1&year=2026"
    assert shows(" ".join(messages_of(response)), ("är fastställd", "is adopted"))
    assert 'id="adoption-banner"' in body(response)
    assert AdoptedReport.objects.get().adopted_by == people["forbundschef"]


def test_a_get_to_adopt_is_refused_and_changes_nothing(client_for, known):
    client = client_for("forbundschef")
    before = every_row()

    response = client.get(adopt_url())

    assert response.status_code == 405
    assert changed_tables(before, every_row()) == []


# Bad input


# Own dates are no period: a code of dates is unknown, like any other.
@pytest.mark.parametrize("code", ["2026H3", "tjugotjugosex", "1999", "x", "2026-01-01–2026-03-31"])
def test_an_unknown_period_code_is_404_to_look_at_and_to_adopt(client_for, known, quick_pdf, code):
    client = client_for("forbundschef")

    assert client.get(confirm_url(code)).status_code == 404
    assert client.post(adopt_url(code)).status_code == 404
    assert not AdoptedReport.objects.exists()


def test_a_period_not_ended_gets_its_reason_and_no_form(client_for, known, quick_pdf):
    client = client_for("forbundschef")
    message = ("har inte slutat", "has not ended yet")

    confirmation = client.get(confirm_url(current_half_year()))
    adopting = client.post(adopt_url(current_half_year()), follow=True)

    assert confirmation.status_code == 200
    assert shows(text_of(confirmation), message)
    assert "<form" not in body(confirmation).split("<main", 1)[-1]
    assert shows(" ".join(messages_of(adopting)), message)
    assert not AdoptedReport.objects.exists()


def test_an_adopted_period_gets_who_adopted_it_and_no_form(client_for, adopted):
    client = client_for("forbundschef")

    confirmation = client.get(confirm_url())
    adopting = client.post(adopt_url(), follow=True)

    assert shows(text_of(confirmation), ("Ingrid Björk", "has already been adopted"))
    assert f'action="{adopt_url()}"' not in body(confirmation)
    assert shows(" ".join(messages_of(adopting)), ("redan fastställts", "has already been adopted"))
    assert AdoptedReport.objects.count() == 1


# The list of adopted reports and the archived PDFs


def test_the_list_is_for_the_forbundschef_and_the_managers(client_for):
    statuses = statuses_by_persona(client_for, PERSONAS, lambda client: client.get(list_url()))

    assert statuses == {username: 200 if username in ["forbundschef", *MANAGERS] else 403 for username in PERSONAS}


def test_the_forbundschef_sees_every_scope_and_a_manager_only_their_own(client_for, adopted):
    everything = body(client_for("forbundschef").get(list_url()))
    own = body(client_for("chef.nassjo").get(list_url()))

    assert "Ingrid Björk" in everything
    assert "Första halvåret 2026 (2026-01-01 – 2026-06-30)" in everything
    for code in ["alla", *Municipality.objects.values_list("code", flat=True)]:
        assert f'href="{pdf_url(adopted, code)}"' in everything
    assert f'href="{pdf_url(adopted, "nassjo")}"' in own
    assert f'href="{pdf_url(adopted, "alla")}"' not in own
    assert f'href="{pdf_url(adopted, "eksjo")}"' not in own


def test_the_list_writes_an_access_log_row(client_for, people, adopted):
    client_for("chef.nassjo").get(list_url())

    (row,) = report_rows()
    assert (row.user, row.action, row.person_id) == (people["chef.nassjo"], AccessLog.Action.LIST, None)


def adoptions(people, number: int) -> None:
    """`number` adopted half-years from 2020 on, each with the scope for all and for every municipality
    (figures and PDF are not read by the list)."""
    municipalities = [None, *Municipality.objects.all()]
    for index in range(number):
        half = selectors.HalfYear(date(2020 + index // 2, 1 if index % 2 == 0 else 7, 1))
        adoption = AdoptedReport.objects.create(
            period_code=half.code,
            period_start=half.start,
            period_end=half.end,
            adopted_by=people["forbundschef"],
        )
        AdoptedReportScope.objects.bulk_create(
            [AdoptedReportScope(adoption=adoption, municipality=m, figures={}, pdf=b"%PDF") for m in municipalities]
        )


@pytest.mark.parametrize("number", [1, 6])
@pytest.mark.parametrize("username", ["forbundschef", "chef.nassjo"])
def test_the_list_takes_the_same_number_of_queries_whatever_the_number_of_adoptions(
    client_for, people, django_assert_num_queries, number, username
):
    adoptions(people, number)
    client = client_for(username)

    with django_assert_num_queries(QUERIES_FOR_THE_LIST):
        response = client.get(list_url())

    assert len(response.context["rows"]) == number


# Session, user, the second-factor device that verified the session, memberships (the role check, and
# the manager's municipalities); the count, the adoptions with who adopted them, their scopes; the
# access-log row. (The session, renewed at sign-in, is not written again within the minute.)
QUERIES_FOR_THE_LIST = 8


def test_the_archived_pdf_is_the_one_made_at_the_adoption_and_its_download_is_logged(client_for, people, adopted):
    response = client_for("forbundschef").get(pdf_url(adopted, "alla"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(scope_of(adopted).pdf)
    assert response["Content-Disposition"] == 'attachment; filename="statistik-2026H1-alla-faststalld.pdf"'
    (row,) = report_rows()
    assert (row.user, row.action, row.object_id) == (people["forbundschef"], AccessLog.Action.EXPORT, "pdf")
    assert shows(row.purpose, ("Första halvåret 2026", "2026-01-01 – 2026-06-30"))


def test_a_manager_downloads_their_own_municipalitys_archived_pdf(client_for, adopted):
    response = client_for("chef.nassjo").get(pdf_url(adopted, "nassjo"))

    assert response.status_code == 200
    assert response.content == bytes(scope_of(adopted, "nassjo").pdf)


@pytest.mark.parametrize("scope", ["eksjo", "alla"])
def test_a_manager_cannot_fetch_another_scopes_archived_pdf(client_for, people, adopted, scope):
    response = client_for("chef.nassjo").get(pdf_url(adopted, scope))

    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")
    (row,) = AccessLog.objects.all()
    assert (row.user, row.action, row.object_type, row.object_id) == (
        people["chef.nassjo"],
        AccessLog.Action.REFUSED,
        "reporting.adoptedreport",
        str(adopted.pk),
    )


@pytest.mark.parametrize(("pk", "scope"), [(999999, "alla"), (None, "atlantis"), (None, "ALLA")])
def test_an_unknown_adoption_or_scope_is_404(client_for, adopted, pk, scope):
    response = client_for("forbundschef").get(reverse("reporting:adopted_pdf", args=[pk or adopted.pk, scope]))

    assert response.status_code == 404


@pytest.mark.parametrize("username", ["coach.nassjo", "auditor", "referrer.af"])
def test_other_roles_cannot_fetch_an_archived_pdf(client_for, adopted, username):
    assert client_for(username).get(pdf_url(adopted, "alla")).status_code == 403


def test_an_adoption_is_named_for_the_auditor_without_a_code(adopted):
    named = records.describe(
        [("reporting.adoptedreport", str(adopted.pk)), ("reporting.adoptedreportscope", str(scope_of(adopted).pk))]
    )

    assert set(named.values()) <= {
        "Fastställd rapport 2026H1",
        "Adopted report 2026H1",
        "Fastställd rapport 2026H1, Alla kommuner",
        "Adopted report 2026H1, Alla kommuner",
    }
