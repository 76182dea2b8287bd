"""How reports, survey answers, certifications and adopted reports are named on the auditor's pages
(sehoglandet.records). None of them belongs to a person. Registered from ReportingConfig.ready()."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sehoglandet.record_names import by_id
from sehoglandet.records import register_record_names

from . import exports
from .models import (
    AdoptedReport,
    AdoptedReportScope,
    Certification,
    EnrolmentEmployment,
    EnrolmentIncome,
    EnrolmentMunicipalityPeriod,
    EnrolmentStatistic,
    ReferralStatistic,
    SurveyResponse,
)

# Anonymous by design (docs/domain.md#statistical-record): named by kind only, never linked to a case.
STATISTICS = [EnrolmentStatistic, EnrolmentMunicipalityPeriod, EnrolmentIncome, EnrolmentEmployment, ReferralStatistic]


def _reports(ids: list[str]) -> dict[str, str]:
    """A report is logged with the file format it was exported in, or the municipality asked for
    when refused: no row to read."""
    return {value: _("Report (%(detail)s)") % {"detail": value} for value in ids}


def register() -> None:
    register_record_names(exports.OBJECT_TYPE, kind=gettext_lazy("Report"), namer=_reports)
    register_record_names(
        SurveyResponse._meta.label_lower,
        kind=gettext_lazy("Survey answer"),
        namer=by_id(
            SurveyResponse.objects.select_related("municipality"),
            lambda answer: (
                _("Survey answer %(municipality)s %(date)s")
                % {"municipality": answer.municipality.name, "date": answer.answered_on.isoformat()}
            ),
        ),
    )
    register_record_names(
        Certification._meta.label_lower,
        kind=gettext_lazy("Certification"),
        namer=by_id(
            Certification.objects.select_related("municipality"),
            lambda certification: (
                _("Certification %(municipality)s %(start)s–%(end)s")
                % {
                    "municipality": certification.municipality.name,
                    "start": certification.period_start.isoformat(),
                    "end": certification.period_end.isoformat(),
                }
            ),
        ),
    )
    register_record_names(
        AdoptedReport._meta.label_lower,
        kind=gettext_lazy("Adopted report"),
        namer=by_id(
            AdoptedReport.objects.all(),
            lambda adoption: _("Adopted report %(period)s") % {"period": adoption.period_code},
        ),
    )
    register_record_names(
        AdoptedReportScope._meta.label_lower,
        kind=gettext_lazy("Adopted report"),
        namer=by_id(
            AdoptedReportScope.objects.defer("figures", "pdf").select_related("adoption", "municipality"),
            lambda scope: (
                _("Adopted report %(period)s, %(scope)s")
                % {
                    "period": scope.adoption.period_code,
                    "scope": scope.municipality.name if scope.municipality else _("All municipalities"),
                }
            ),
        ),
    )
    for model in STATISTICS:
        register_record_names(model._meta.label_lower, kind=capfirst(model._meta.verbose_name))
