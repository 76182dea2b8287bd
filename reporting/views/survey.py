"""The indicator survey's paper answers and the manager's half-year certification.

Thin views over reporting.selectors and reporting.services. Neither page shows personal data: a
survey answer is a municipality, a day, a stated gender and seven steps, never linked to a
participant, and a certification is the manager's statement about the service. So these pages
write no access-log row.
"""

from contextlib import suppress
from datetime import date
from itertools import groupby
from operator import itemgetter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sehoglandet import access
from sehoglandet.forms import add_service_errors
from sehoglandet.models import Role

from .. import selectors, services
from ..forms_survey import CertificationForm, SurveyResponseForm
from ..models import SURVEY_QUESTIONS, SURVEY_SHORT_LABELS

PAGE_SIZE = 25


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


@access.require_roles(Role.COACH, Role.MANAGER)
@require_GET
def survey_list(request):
    """The survey answers entered for the user's municipalities, newest first, 25 a page: the
    steps answered, no personal data, so no access-log row."""
    page = _page(request, selectors.survey_responses_visible_to(request.user))
    rows = [(response, [getattr(response, name) for name in services.QUESTION_FIELDS]) for response in page]
    questions = [(name, SURVEY_SHORT_LABELS[name], question) for name, question, _scale in SURVEY_QUESTIONS]
    return render(request, "reporting/survey_list.html", {"page": page, "rows": rows, "questions": questions})


def _next_form_initial(request, municipalities: list) -> dict:
    """The municipality and day of the form saved last (from the redirect's query), so a pile of
    papers from one day goes quickly; anything that does not parse is left out."""
    initial = {}
    with suppress(ValueError):
        initial["answered_on"] = date.fromisoformat(request.GET.get("answered_on", ""))
    if request.GET.get("municipality", "") in {str(m.pk) for m in municipalities}:
        initial["municipality"] = int(request.GET["municipality"])
    return initial


@access.require_roles(Role.COACH, Role.MANAGER)
@require_http_methods(["GET", "POST"])
def survey_add(request):
    """Type in one paper form; after saving, an empty form for the next one."""
    municipalities = selectors.survey_municipalities_of(request.user)
    if request.method == "POST":
        form = SurveyResponseForm(request.POST, municipalities=municipalities)
        if form.is_valid():
            try:
                response = services.record_survey_response(
                    actor=request.user,
                    municipality=form.cleaned_data["municipality"],
                    answered_on=form.cleaned_data["answered_on"],
                    gender=form.cleaned_data["gender"],
                    answers=form.answers(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The answers have been saved for %(municipality)s. Enter the next form below.")
                    % {"municipality": response.municipality.name},
                )
                query = QueryDict(mutable=True)
                query.update({"municipality": response.municipality_id, "answered_on": response.answered_on})
                return redirect(f"{reverse('reporting:survey_add')}?{query.urlencode()}")
    else:
        form = SurveyResponseForm(municipalities=municipalities, initial=_next_form_initial(request, municipalities))
    return render(request, "reporting/survey_form.html", {"form": form})


@access.require_roles(Role.MANAGER, Role.DIRECTOR)
@require_GET
def certification_list(request):
    """The certifications of the manager's municipality (the director: of all, read-only) and the
    recent half-years still to certify. No personal data, so no access-log row."""
    municipalities = selectors.certification_municipalities_of(request.user)
    page = _page(request, selectors.certifications_visible_to(request.user))
    managed = {municipality.pk for municipality in access.municipalities_managed_by(request.user)}
    pending = selectors.half_years_to_certify(municipalities, timezone.localdate())
    to_certify = [
        (half_year, [(municipality, municipality.pk in managed) for municipality, _half_year in group])
        for half_year, group in groupby(pending, key=itemgetter(1))
    ]
    context = {
        "page": page,
        "rows": [(certification, selectors.HalfYear(certification.period_start)) for certification in page],
        "to_certify": to_certify,
        "may_certify": bool(managed),
        "show_municipality": len(municipalities) > 1,
    }
    return render(request, "reporting/certification_list.html", context)


@access.require_roles(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def certification_add(request):
    """The manager certifies a half-year: the two statements, the half-year and a comment."""
    municipalities = selectors.certification_municipalities_of(request.user)
    half_years = selectors.certifiable_half_years(timezone.localdate())
    if request.method == "POST":
        form = CertificationForm(request.POST, municipalities=municipalities, half_years=half_years)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.certify_half_year(
                    actor=request.user,
                    municipality=data["municipality"],
                    period_start=data["half_year"].start,
                    follows_description=data["follows_description"],
                    fte_as_agreed=data["fte_as_agreed"],
                    comment=data["comment"],
                )
            except ValidationError as error:
                add_service_errors(form, _on_half_year(error))
            else:
                messages.success(
                    request,
                    _("%(municipality)s has certified %(half_year)s.")
                    % {"municipality": data["municipality"].name, "half_year": data["half_year"].name},
                )
                return redirect("reporting:certification_list")
    else:
        initial = _certification_initial(request, municipalities)
        form = CertificationForm(municipalities=municipalities, half_years=half_years, initial=initial)
    return render(request, "reporting/certification_form.html", {"form": form})


def _on_half_year(error: ValidationError) -> ValidationError:
    """The service names the half-year `period_start`; the form calls it `half_year`."""
    if hasattr(error, "error_dict") and "period_start" in error.error_dict:
        error.error_dict["half_year"] = error.error_dict.pop("period_start")
    return error


def _certification_initial(request, municipalities: list) -> dict:
    """The half-year and municipality a link on the list chose, else the oldest recent half-year
    the first municipality has not certified."""
    pending = selectors.half_years_to_certify(municipalities, timezone.localdate())
    chosen = {str(m.pk): m for m in municipalities}.get(request.GET.get("municipality", ""))
    half_year = selectors.HalfYear.from_code(request.GET.get("half_year", ""))
    if chosen is None and pending:
        chosen = pending[0][0]
    if half_year is None:
        half_year = next((h for m, h in pending if m == chosen), None)
    initial = {}
    if chosen is not None:
        initial["municipality"] = chosen.pk
    if half_year is not None:
        initial["half_year"] = half_year.code
    return initial
