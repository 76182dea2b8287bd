"""Recording and withdrawing a person's consent, and downloading the signed form.

Thin views over consent.services. The pages are reached from the case the user is working on (a
referral, a transfer), which passes its own address as `next`; after saving, the user goes back
there. Each page that shows the person's data writes an access-log row.
"""

import mimetypes
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sehoglandet import access, gate
from sehoglandet.audit import log_access
from sehoglandet.forms import add_service_errors
from sehoglandet.http import safe_next
from sehoglandet.models import AccessLog, ReferralGroup, Role

from . import fetch, selectors, services
from .forms import ConsentForm, ConsentWithdrawalForm

WRITERS = (Role.REFERRER, Role.COACH)
FORM_METHODS = ["GET", "POST"]


def _back(request):
    return redirect(safe_next(request) or "home")


@access.require_roles(*WRITERS)
@require_http_methods(FORM_METHODS)
def consent_create(request, pk: int):
    """Record a consent the person gave, with the signed form if there is one. The page names the
    parties of the case's referral group, and says which of them the consent leaves out: on the
    form once the choice is known, and in a message once it is recorded."""
    person = gate.person(request, pk, may=access.may_record_consent)
    form = ConsentForm(request.POST, request.FILES) if request.method == "POST" else ConsentForm()
    groups = _referral_groups(request.user, person)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                actor=request.user,
                person=person,
                organisations=list(data["organisations"]),
                purposes=form.purpose_list(),
                given_on=data["given_on"],
                method=data["method"],
                valid_until=data["valid_until"],
                document=data["document"] or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent has been recorded."))
            left_out = selectors.parties_left_out(person, groups, among=selectors.consents_visible_to(request.user))
            if left_out:
                messages.warning(request, left_out_message(left_out))
            return _back(request)
    log_access(request, person, person_id=person.pk, purpose=_("Recording a consent"))
    chosen = form.chosen() if form.is_bound else None
    left_out = (
        selectors.parties_left_out(person, groups, choice=chosen, among=selectors.consents_visible_to(request.user))
        if chosen
        else []
    )
    return render(
        request,
        "consent/consent_form.html",
        {
            "form": form,
            "person": person,
            "back": safe_next(request),
            "group_parties": sorted(
                {seat.organisation for group in groups for seat in group.seats.all()}, key=lambda org: org.name
            ),
            "left_out": left_out_message(left_out) if left_out else "",
        },
    )


def _referral_groups(user, person) -> list[ReferralGroup]:
    """The referral groups of the cases the user records the consent for: their parties should be
    covered, or they will not see the case before the meeting."""
    return list(
        ReferralGroup.objects.filter(municipality__in=access.consent_case_municipality_ids(user, person))
        .select_related("municipality")
        .prefetch_related("seats__organisation")
    )


def left_out_message(parties: list) -> str:
    """What a consent that leaves out parties of the referral group means, said when it is recorded."""
    return _(
        "The consent does not cover %(parties)s for discussion in the referral group. They will not see "
        "the case before the meeting. Record a consent that covers them if the person agrees."
    ) % {"parties": ", ".join(organisation.name for organisation in parties)}


@access.require_roles(*WRITERS)
@require_http_methods(FORM_METHODS)
def consent_withdraw(request, pk: int):
    """GET asks for the date and confirmation and changes nothing; POST records the withdrawal, and
    organisations no longer covered lose their access in the same transaction."""
    consent = fetch.consent(request, pk, may=access.may_withdraw_consent)
    form = ConsentWithdrawalForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.withdraw_consent(
                actor=request.user, consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The withdrawal of the consent has been recorded."))
            return _back(request)
    log_access(request, consent, person_id=consent.person_id, purpose=_("Withdrawing a consent"))
    return render(
        request, "consent/consent_withdraw.html", {"form": form, "consent": consent, "back": safe_next(request)}
    )


@access.require_roles(*WRITERS)
@require_GET
def consent_document(request, pk: int):
    """The signed consent form, from private storage, to those who may see the consent; logged."""
    consent = fetch.consent(request, pk)
    if not consent.document:
        raise Http404
    log_access(
        request,
        consent,
        action=AccessLog.Action.EXPORT,
        person_id=consent.person_id,
        purpose=_("Signed consent form downloaded"),
    )
    extension = PurePosixPath(consent.document.name).suffix.lower()
    content_type = mimetypes.types_map.get(extension, "application/octet-stream")
    return FileResponse(
        consent.document.open("rb"),
        as_attachment=True,
        filename=f"samtycke-{consent.pk}{extension}",
        content_type=content_type,
    )
