"""Entering the indicator survey's paper answers and the manager's half-year certification.

Every function takes the acting user first, checks the policy, and writes in one transaction with
the history's user and reason set.
"""

from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sehoglandet import access, events
from sehoglandet.history import track
from sehoglandet.models import Municipality

from .events import ReportingEvent
from .models import SCALE_STEPS, SURVEY_QUESTIONS, Certification, SurveyResponse
from .selectors import HalfYear

QUESTION_FIELDS = [name for name, _question, _scale in SURVEY_QUESTIONS]


def _on_the_scale(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= SCALE_STEPS


def _check_answers(answers: dict) -> dict[str, int | None]:
    """Every question's answer: None (skipped) or a step from 1 to 6. Unknown questions are a
    programming error; a value off the scale is the user's, named by question."""
    unknown = set(answers) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown survey questions: {sorted(unknown)}")
    checked, errors = {}, {}
    for number, name in enumerate(QUESTION_FIELDS, start=1):
        value = answers.get(name)
        if value is not None and not _on_the_scale(value):
            errors[name] = _("The answer to question %(number)s must be one of the steps 1–%(steps)s.") % {
                "number": number,
                "steps": SCALE_STEPS,
            }
        checked[name] = value
    if errors:
        raise ValidationError(errors)
    return checked


@transaction.atomic
def record_survey_response(
    *, actor: User, municipality: Municipality, answered_on: date, gender: str, answers: dict
) -> SurveyResponse:
    """Save one paper form of the indicator survey (docs/domain.md#survey), never linked to a participant.

    Checks that the actor coaches or manages the municipality, that the day is not in the future,
    that the gender is one of the form's three and that each answer is skipped (None) or a step
    1-6. Any question may be skipped, but a form with no answer at all is refused: it would add a
    form to the count and nothing to any question, and is most often a slip of the hand.
    """
    if not access.may_record_survey(actor, municipality):
        raise PermissionDenied
    errors = {}
    if answered_on > timezone.localdate():
        errors["answered_on"] = _("The date cannot be in the future.")
    if gender not in SurveyResponse.Gender.values:
        errors["gender"] = _("Choose one of the form's answers about the respondent.")
    try:
        checked = _check_answers(answers)
    except ValidationError as error:
        errors.update(error.message_dict)
        checked = {}
    if errors:
        raise ValidationError(errors)
    if all(value is None for value in checked.values()):
        raise ValidationError(_("No question is answered on the form: enter at least one answer."))
    response = SurveyResponse(
        municipality=municipality, answered_on=answered_on, gender=gender, entered_by=actor, **checked
    )
    track(response, actor, ReportingEvent.SURVEY_ANSWERS_ENTERED)
    response.full_clean()
    response.save()
    events.record(
        actor=actor,
        code=ReportingEvent.SURVEY_ANSWERS_ENTERED,
        record=response,
        payload={"municipality": municipality.pk, "answered_on": answered_on},
    )
    return response


@transaction.atomic
def certify_half_year(
    *,
    actor: User,
    municipality: Municipality,
    period_start: date,
    follows_description: bool,
    fte_as_agreed: bool,
    comment: str = "",
) -> Certification:
    """The manager certifies a half-year in writing (docs/domain.md#certification): the service follows the
    service description, and the coaches worked the share of a post the association set.

    Checks that the actor manages the municipality; that `period_start` is 1 January or 1 July;
    that the half-year has ended or is in its last month (from 1 June or 1 December on, so the
    certification can go with the claim for the half-year's costs); that a statement the manager
    cannot confirm is explained in the comment; and that the half-year is not already certified.
    The municipality's row is locked so two certifications at once cannot both pass that check.
    """
    if not access.may_certify(actor, municipality):
        raise PermissionDenied
    if (period_start.month, period_start.day) not in {(1, 1), (7, 1)}:
        raise ValidationError({"period_start": _("A half-year starts on 1 January or 1 July.")})
    half_year = HalfYear(period_start)
    if timezone.localdate() < half_year.certifiable_from:
        raise ValidationError(
            {
                "period_start": _("You can certify %(half_year)s from %(date)s, the first day of its last month.")
                % {"half_year": half_year.name, "date": half_year.certifiable_from.isoformat()}
            }
        )
    comment = comment.strip()
    if not (follows_description and fte_as_agreed) and not comment:
        raise ValidationError(
            {"comment": _("Explain in the comment what differed, since you cannot confirm both statements.")}
        )
    Municipality.objects.select_for_update().get(pk=municipality.pk)
    existing = (
        Certification.objects.filter(municipality=municipality, period_start=period_start)
        .select_related("certified_by")
        .first()
    )
    if existing is not None:
        raise ValidationError(
            _("%(municipality)s has already certified %(half_year)s: %(who)s on %(date)s.")
            % {
                "municipality": municipality.name,
                "half_year": half_year.name,
                "who": existing.certified_by.get_full_name() or existing.certified_by.username,
                "date": timezone.localdate(existing.certified_at).isoformat(),
            }
        )
    certification = Certification(
        municipality=municipality,
        period_start=half_year.start,
        period_end=half_year.end,
        follows_description=follows_description,
        fte_as_agreed=fte_as_agreed,
        comment=comment,
        certified_by=actor,
    )
    track(certification, actor, ReportingEvent.HALF_YEAR_CERTIFIED)
    certification.full_clean()
    certification.save()
    events.record(
        actor=actor,
        code=ReportingEvent.HALF_YEAR_CERTIFIED,
        record=certification,
        payload={"municipality": municipality.pk, "period_start": half_year.start},
    )
    return certification
