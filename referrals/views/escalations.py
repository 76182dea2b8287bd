"""Questions a remittentgrupp could not agree on: the coach's manager (chef) sees them and decides."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sehoglandet import access
from sehoglandet.audit import log_access
from sehoglandet.forms import add_service_errors
from sehoglandet.models import Role

from .. import fetch, selectors, services
from ..meeting_forms import OutcomeForm, submitted_data
from ..minutes import decision_label
from ..models import Decision

ESCALATIONS_PAGE_SIZE = 25


@access.require_roles(Role.MANAGER)
@require_GET
def escalation_list(request):
    """The escalated questions of the manager's municipalities, oldest first. No names: references only."""
    page = Paginator(selectors.escalations_for(request.user), ESCALATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/escalation_list.html", {"page": page})


@access.require_roles(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def escalation_decide(request, pk: int):
    """The manager decides an escalated question; the decision is recorded as theirs."""
    decision = fetch.escalation(request, pk, may=access.may_decide_escalation)
    open_question = decision.status == Decision.Status.ESCALATED
    if request.method == "POST" and not open_question:
        messages.warning(
            request, _("The question has already been decided: %(decision)s.") % {"decision": decision_label(decision)}
        )
        return redirect("referrals:escalation_decide", pk=decision.pk)
    form = OutcomeForm(submitted_data(request)) if open_question else None
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_escalated(actor=request.user, decision=decision, **form.outcome_kwargs())
        except services.AlreadyDecided:
            messages.warning(request, _("Someone else decided the question first. Nothing was changed."))
            return redirect("referrals:escalation_decide", pk=decision.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your decision on %(reference)s is recorded.") % {"reference": decision.item.referral.reference},
            )
            return redirect("referrals:escalation_list")
    referral = decision.item.referral
    log_access(request, referral, person_id=referral.person_id, purpose=_("Escalated question from the referral group"))
    context = {
        "decision": decision,
        "item": decision.item,
        "meeting": decision.item.meeting,
        "referral": referral,
        "municipality": decision.item.meeting.referral_group.municipality,
        "form": form,
        "result": decision_label(decision),
    }
    return render(request, "referrals/escalation_decide.html", context)
