"""The person as a referral shows them: what its writer typed, masked by access.may_see_referral_identity
(docs/domain.md#identity-lookup). Referral pages use these, never the registry's Person row."""

from django import template
from django.utils.translation import gettext as _

from sehoglandet import access

register = template.Library()


@register.simple_tag(takes_context=True)
def referral_identity_visible(context, referral) -> bool:
    return access.may_see_referral_identity(context["request"].user, referral)


@register.simple_tag(takes_context=True)
def referral_name(context, referral) -> str:
    """The name the writer gave, or "Skyddad identitet"."""
    if access.may_see_referral_identity(context["request"].user, referral):
        return referral.full_name
    return _("Protected identity")


@register.simple_tag(takes_context=True)
def referral_number(context, referral) -> str:
    """The number the writer typed (ÅÅÅÅMMDD-NNNN) or the reserve identity, or a dash."""
    if access.may_see_referral_identity(context["request"].user, referral):
        return referral.person.identity_display
    return "–"
