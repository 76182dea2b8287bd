from django import template
from django.utils.translation import gettext as _

from sehoglandet import access

register = template.Library()


@register.simple_tag(takes_context=True)
def person_name(context, person, municipality=None) -> str:
    """The person's name, or "Skyddad identitet" to anyone but the responsible SE team's coaches
    (of `municipality`, or of any municipality where the person has an open case)."""
    if access.may_see_identity(context["request"].user, person, municipality):
        return person.full_name
    return _("Protected identity")


@register.simple_tag(takes_context=True)
def person_number(context, person, municipality=None) -> str:
    """ÅÅÅÅMMDD-NNNN (or the reserve identity), hidden like the name for protected identities."""
    if access.may_see_identity(context["request"].user, person, municipality):
        return person.identity_display
    return "–"
