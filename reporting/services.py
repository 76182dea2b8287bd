"""Entering the indicator survey's paper answers and the manager's half-year certification, the
förbundschef's adoption of a report, and keeping the anonymous statistical records in step with the
live enrolments and referrals.

Every function that a user calls takes the acting user first, checks the policy, and writes in one
transaction with the history's user and reason set.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps as global_apps
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import YOUTH_MAX_AGE, YOUTH_MIN_AGE
from sehoglandet import access, events
from sehoglandet.history import track
from sehoglandet.models import CaseEvent, Municipality

from . import archive, exports
from .events import ReportingEvent
from .models import (
    SCALE_STEPS,
    SURVEY_QUESTIONS,
    AdoptedReport,
    AdoptedReportScope,
    Certification,
    SurveyResponse,
    rounding_key_of,
)
from .report import Period, build_report, period_from_code
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


# Adopted reports (docs/domain.md#adopted-reports).


def adoptable_period(period_code: str) -> Period:
    """The half-year or year `period_code` names, if it may be adopted today; otherwise a
    ValidationError with a message for the user and a code: `unknown` (no half-year or year by
    that code), `not_ended` (the period ends today or later) or `adopted` (adopted already)."""
    try:
        period = period_from_code(period_code)
    except ValidationError as error:
        raise ValidationError(" ".join(error.messages), code="unknown") from error
    name = exports.describe_period(period)
    if period.end >= timezone.localdate():
        raise ValidationError(
            _("%(period)s has not ended yet: it can be adopted from %(date)s.")
            % {"period": name, "date": (period.end + timedelta(days=1)).isoformat()},
            code="not_ended",
        )
    existing = AdoptedReport.objects.filter(period_code=period.code).select_related("adopted_by").first()
    if existing is not None:
        raise _already_adopted(existing, name)
    return period


def _already_adopted(adoption: AdoptedReport, name: str) -> ValidationError:
    user = adoption.adopted_by
    return ValidationError(
        _("%(period)s has already been adopted: by %(who)s on %(date)s.")
        % {
            "period": name,
            "who": user.get_full_name() or user.username,
            "date": timezone.localdate(adoption.adopted_at).isoformat(),
        },
        code="adopted",
    )


@transaction.atomic
def adopt_report(*, actor: User, period_code: str) -> AdoptedReport:
    """The förbundschef adopts (fastställer) a half-year or year report (docs/domain.md#adopted-reports):
    the report for all municipalities and the report for each municipality are built as the page
    shows them, and each is stored, its figures (reporting.archive.to_data) and its PDF, in one act.

    Checks that the actor is the förbundschef, and refuses with a ValidationError (see
    `adoptable_period`, nothing saved) an unknown code, a period that has not ended and a
    period already adopted; the unique period code refuses the second of two adoptions at once.
    Aggregates only: nothing about a person is stored. Renders seven PDFs, so it takes some seconds.
    """
    if not access.may_adopt_report(actor):
        raise PermissionDenied
    period = adoptable_period(period_code)
    adoption = AdoptedReport(
        period_code=period.code, period_start=period.start, period_end=period.end, adopted_by=actor
    )
    track(adoption, actor, ReportingEvent.REPORT_ADOPTED)
    try:
        with transaction.atomic():
            adoption.save()
    except IntegrityError:
        existing = AdoptedReport.objects.select_related("adopted_by").get(period_code=period.code)
        raise _already_adopted(existing, exports.describe_period(period)) from None
    generated_by = actor.get_full_name() or actor.username
    scopes = []
    for municipality in [None, *Municipality.objects.order_by("name")]:
        shown = exports.present(build_report(period, municipality=municipality, generated_by=generated_by))
        scopes.append(
            AdoptedReportScope(
                adoption=adoption,
                municipality=municipality,
                figures=archive.to_data(shown),
                pdf=exports.render_pdf(shown),
            )
        )
    AdoptedReportScope.objects.bulk_create(scopes)
    events.record(
        actor=actor,
        code=ReportingEvent.REPORT_ADOPTED,
        record=adoption,
        payload={"period": period.code, "scopes": len(scopes)},
    )
    return adoption


# The anonymous statistical records (docs/domain.md#statistical-record).
#
# The functions below take `apps` so that the data migration that filled the records the first time
# runs the same code on its historical models; they use the models' fields and plain values only.

YOUNG_AGES = range(YOUTH_MIN_AGE, YOUTH_MAX_AGE + 1)
ADULT_AGES = range(YOUTH_MAX_AGE + 1, 65)
DECIDED_STATUSES = {"enrolled", "declined", "sent_back"}
PERSONS_PER_BATCH = 500
ENROLMENT_FIELDS = [
    "gender",
    "age_band",
    "referring_kind",
    "decided_on",
    "started_on",
    "exited_on",
    "exit_reason",
    "occupation_after",
]
# Each child table of an enrolment statistic: (app, live model, statistic model, fields copied).
ENROLMENT_CHILDREN = {
    "municipality_periods": (
        "participants",
        "MunicipalityPeriod",
        "EnrolmentMunicipalityPeriod",
        ("municipality_id", "moved_in_on", "moved_out_on"),
    ),
    "incomes": ("participants", "IncomeRecord", "EnrolmentIncome", ("phase", "source", "valid_from")),
    "employments": ("participants", "Employment", "EnrolmentEmployment", ("kind", "starts_on", "ends_on")),
}
REFERRAL_FIELDS = ["municipality_id", "gender", "submitted_at", "outcome", "outcome_at"]


@dataclass
class Refreshed:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "Refreshed") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass
class RefreshCounts:
    enrolments: Refreshed = field(default_factory=Refreshed)
    referrals: Refreshed = field(default_factory=Refreshed)

    def add(self, other: "RefreshCounts") -> None:
        self.enrolments.add(other.enrolments)
        self.referrals.add(other.referrals)


def age_band(age: int) -> str:
    """The report's age bands at the decision on enrolment (docs/domain.md#queue for 18–29)."""
    if age in YOUNG_AGES:
        return "young"
    if age in ADULT_AGES:
        return "adult"
    return "other"


def refresh_statistics(
    *,
    persons: Iterable[int] = (),
    participants: Iterable[int] = (),
    referrals: Iterable[int] = (),
    apps=global_apps,
) -> RefreshCounts:
    """Bring the statistical records of these persons (and of the persons of these participants and
    referrals) in step with their live enrolments and submitted referrals: a record is created where
    missing, rewritten where it differs, left alone where it is the same, so a second call changes
    nothing. The whole person is refreshed, so the enrolments of one person share one random
    person_key and a corrected gender reaches every record of theirs.

    A record that no longer exists is never refreshed: a purged enrolment or referral keeps its
    statistic as it was. A fixed number of queries per 500 persons. The caller owns the transaction.
    """
    person_ids = set(persons)
    participants, referrals = list(participants), list(referrals)
    if participants:
        model = apps.get_model("participants", "Participant")
        person_ids.update(model.objects.filter(pk__in=participants).values_list("person_id", flat=True))
    if referrals:
        model = apps.get_model("referrals", "Referral")
        person_ids.update(model.objects.filter(pk__in=referrals).values_list("person_id", flat=True))
    counts = RefreshCounts()
    ordered = sorted(person_ids)
    for start in range(0, len(ordered), PERSONS_PER_BATCH):
        batch = ordered[start : start + PERSONS_PER_BATCH]
        counts.enrolments.add(_refresh_enrolments(apps, batch))
        counts.referrals.add(_refresh_referrals(apps, batch))
    return counts


def refresh_all_statistics(*, apps=global_apps) -> RefreshCounts:
    """Refresh the statistical records of every person with an enrolment or a submitted referral
    (`manage.py refresh_statistics`): for data written outside the services."""
    participant = apps.get_model("participants", "Participant")
    referral = apps.get_model("referrals", "Referral")
    persons = set(participant.objects.values_list("person_id", flat=True).distinct())
    persons.update(referral.objects.filter(submitted_at__isnull=False).values_list("person_id", flat=True).distinct())
    return refresh_statistics(persons=persons, apps=apps)


# Events whose services write none of the rows a statistic is read from (the participant and its
# person, referral and referring organisation, municipality periods, incomes, employments, the
# referral's status and decision, its withdrawal): refreshing after them would read ten queries' worth
# of rows to change nothing. A journal entry, a step, a visit, the coach, SUS, the transfer's start,
# meeting, queue and calling off (its acceptance moves the municipality and is not here), agendas,
# meetings, responses, attendance, consultations, an escalation, an individbeslut, and a draft (a
# statistic counts submitted referrals, and writing one leaves a known person's row as it is). A
# decision's own event is here too: what the decision changes (an enrolment, a decline, a sending
# back, an exit) writes an event of its own, in the same transaction, after which the refresh runs.
# So does a referral's enrolment: `referrals.services._apply` enrols the participant right after it,
# and the participant's own event refreshes the whole person, the referral included.
# `test_a_second_refresh_changes_nothing` runs each of these services and checks this.
EVENTS_WITHOUT_STATISTICS = frozenset(
    {
        "journal.entry_added",
        "participant.step_changed",
        "aftercare.visit_marked",
        "aftercare.extended",
        "participant.coach_assigned",
        "sus.registered",
        "sus.deregistered",
        "transfer.started",
        "transfer.meeting_booked",
        "transfer.queue_reordered",
        "transfer.cancelled",
        "transfer.cancelled_by_exit",
        "reminder.sent",
        "referral.written",
        "referral.agency_decision_added",
        "meeting.planned",
        "meeting.extra_planned",
        "agenda.item_added",
        "meeting.agenda_published",
        "agenda.member_responded",
        "meeting.attendance_recorded",
        "decision.recorded",
        "referral.enrolled",
        "decision.escalated",
        "decision.decided_by_manager",
        "meeting.held",
        "consultation.raised",
        "consultation.answered",
        "consultation.withdrawn",
    }
)


def refresh_statistics_for_event(event: CaseEvent) -> None:
    """The handler reporting subscribes to every participant and referral event (and a corrected
    person): refresh the statistics of the person the event is about."""
    if event.person_id is not None:
        refresh_statistics(persons=[event.person_id])
    elif event.record_type == "participants.participant":
        refresh_statistics(participants=[int(event.record_id)])
    elif event.record_type == "referrals.referral":
        refresh_statistics(referrals=[int(event.record_id)])


def _rows_by_parent(model, parent_ids: list[int], parent: str, fields: tuple[str, ...]) -> dict[int, list[tuple]]:
    """The rows of `model` under each parent, as tuples of `fields`, in the order they were written."""
    rows = defaultdict(list)
    if parent_ids:
        for parent_id, *values in (
            model.objects.filter(**{f"{parent}__in": parent_ids}).order_by(parent, "pk").values_list(parent, *fields)
        ):
            rows[parent_id].append(tuple(values))
    return rows


def _refresh_enrolments(apps, person_ids: list[int]) -> Refreshed:
    participant_model = apps.get_model("participants", "Participant")
    statistic_model = apps.get_model("reporting", "EnrolmentStatistic")
    live = list(
        participant_model.objects.filter(person_id__in=person_ids)
        .order_by("pk")
        .values_list(
            "pk",
            "person_id",
            "person__gender",
            "age_at_decision",
            "referral__referring_organisation__kind",
            "decided_on",
            "started_on",
            "exited_on",
            "exit_reason",
            "occupation_after",
        )
    )
    done = Refreshed()
    if not live:
        return done
    ids = [row[0] for row in live]
    existing = {stat.participant_id: stat for stat in statistic_model.objects.filter(participant_id__in=ids)}
    stat_ids = [stat.pk for stat in existing.values()]
    live_children, stored_children = {}, {}
    for name, (app, live_name, stat_name, fields) in ENROLMENT_CHILDREN.items():
        live_children[name] = _rows_by_parent(apps.get_model(app, live_name), ids, "participant_id", fields)
        stored_children[name] = _rows_by_parent(
            apps.get_model("reporting", stat_name), stat_ids, "enrolment_id", fields
        )

    # A data migration before reporting 0005 runs this with models that have no rounding key yet.
    keyed = any(field.name == "rounding_key" for field in statistic_model._meta.get_fields())
    # One key per person: the one their oldest statistic holds, or a new random one.
    person_of = {row[0]: row[1] for row in live}
    keys: dict[int, uuid.UUID] = {}
    for stat in sorted(existing.values(), key=lambda stat: stat.pk):
        keys.setdefault(person_of[stat.participant_id], stat.person_key)

    created, updated, rewrite = [], [], defaultdict(list)
    for pk, person_id, gender, age, kind, decided_on, started_on, exited_on, reason, occupation in live:
        person_key = keys.setdefault(person_id, uuid.uuid4())
        wanted = {
            "person_key": person_key,
            **({"rounding_key": rounding_key_of(person_key)} if keyed else {}),
            "gender": gender,
            "age_band": age_band(age),
            "referring_kind": kind or "",
            "decided_on": decided_on,
            "started_on": started_on,
            "exited_on": exited_on,
            "exit_reason": reason,
            "occupation_after": occupation,
        }
        stat = existing.get(pk)
        if stat is None:
            stat = statistic_model(participant_id=pk, **wanted)
            created.append(stat)
            changed_children = list(ENROLMENT_CHILDREN)
        else:
            changed = {name: value for name, value in wanted.items() if getattr(stat, name) != value}
            for name, value in changed.items():
                setattr(stat, name, value)
            changed_children = [
                name for name in ENROLMENT_CHILDREN if live_children[name][pk] != stored_children[name][stat.pk]
            ]
            if changed or changed_children:
                updated.append(stat)
            else:
                done.unchanged += 1
        for name in changed_children:
            rewrite[name].append((stat, live_children[name][pk]))

    statistic_model.objects.bulk_create(created)
    statistic_model.objects.bulk_update(
        updated, ["person_key", *(["rounding_key"] if keyed else []), *ENROLMENT_FIELDS]
    )
    for name, (_app, _live, stat_name, fields) in ENROLMENT_CHILDREN.items():
        if not rewrite[name]:
            continue
        child_model = apps.get_model("reporting", stat_name)
        child_model.objects.filter(enrolment_id__in=[stat.pk for stat, _rows in rewrite[name]]).delete()
        child_model.objects.bulk_create(
            [
                child_model(enrolment_id=stat.pk, **dict(zip(fields, row, strict=True)))
                for stat, rows in rewrite[name]
                for row in rows
            ]
        )
    done.created, done.updated = len(created), len(updated)
    return done


def _refresh_referrals(apps, person_ids: list[int]) -> Refreshed:
    referral_model = apps.get_model("referrals", "Referral")
    statistic_model = apps.get_model("reporting", "ReferralStatistic")
    live = list(
        referral_model.objects.filter(person_id__in=person_ids, submitted_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "municipality_id", "person__gender", "submitted_at", "status", "decided_at")
    )
    done = Refreshed()
    if not live:
        return done
    withdrawn_at = dict(
        apps.get_model("sehoglandet", "CaseEvent")
        .objects.filter(
            code="referral.withdrawn",
            record_type="referrals.referral",
            record_id__in=[str(row[0]) for row in live if row[4] == "withdrawn"],
        )
        .order_by("occurred_at", "pk")
        .values_list("record_id", "occurred_at")
    )
    existing = {stat.referral_id: stat for stat in statistic_model.objects.filter(referral_id__in=[r[0] for r in live])}
    created, updated = [], []
    for pk, municipality_id, gender, submitted_at, status, decided_at in live:
        if status in DECIDED_STATUSES:
            outcome_at = decided_at
        else:
            outcome_at = withdrawn_at.get(str(pk)) if status == "withdrawn" else None
        wanted = {
            "municipality_id": municipality_id,
            "gender": gender,
            "submitted_at": submitted_at,
            "outcome": status,
            "outcome_at": outcome_at,
        }
        stat = existing.get(pk)
        if stat is None:
            created.append(statistic_model(referral_id=pk, **wanted))
        elif any(getattr(stat, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(stat, name, value)
            updated.append(stat)
        else:
            done.unchanged += 1
    statistic_model.objects.bulk_create(created)
    statistic_model.objects.bulk_update(updated, REFERRAL_FIELDS)
    done.created, done.updated = len(created), len(updated)
    return done
