from django import template
from django.utils.translation import gettext as _

from sehoglandet import access

register = template.Library()


@register.simple_tag(takes_context=True)
def person_name(context, person, municipality=None) -> str:
    """The person's name in a case of `municipality`, or "Skyddad identitet" to anyone but the
    responsible SE team's coaches. Without a municipality, the name as the user's own case shows
    it (access.name_shown_to), or a dash."""
    user = context["request"].user
    if municipality is None:
        return access.name_shown_to(user, person) or "–"
    if access.may_see_identity(user, person, municipality):
        return person.full_name
    return _("Protected identity")


@register.simple_tag(takes_context=True)
def person_number(context, person, municipality=None) -> str:
    """ÅÅÅÅMMDD-NNNN (or the reserve identity), hidden like the name for protected identities."""
    if access.may_see_identity(context["request"].user, person, municipality):
        return person.identity_display
    return "–"


@register.simple_tag(takes_context=True)
def identity_visible(context, person, municipality) -> bool:
    """Whether the user sees the person's identifying and locating fields in a case of `municipality`."""
    return access.may_see_identity(context["request"].user, person, municipality)
