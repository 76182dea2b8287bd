"""The referral list's filters (django-filter): status, "mine", and the order, by the name the
writer gave or by the day it was written. Filtered in the database on the referral's own columns,
which the `lists_*` indexes serve."""

import django_filters
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from sehoglandet import access
from sehoglandet.forms import Form

from .models import PreMeeting, Referral

MINE = "mine"
SORTS = [
    ("", _("Written, newest first")),
    ("written", _("Written, oldest first")),
    ("name", _("Name (A–Ö)")),
]


def status_choices() -> list[tuple[str, str]]:
    """Each status worded as the lists show it: a decided one by its result (docs/domain.md#decision-wording)."""
    return [(status, Referral(status=status).status_label) for status in Referral.Status]


class ReferralFilter(django_filters.FilterSet):
    """`user` is the asking user: "mine" are the referrals they wrote or refer, or whose pre-meeting
    they hold."""

    status = django_filters.ChoiceFilter(label=_("Status"), empty_label=_("All statuses"), choices=status_choices)
    mine = django_filters.ChoiceFilter(
        label=_("Whose"), method="filter_mine", empty_label=_("Everyone's"), choices=[(MINE, _("Mine"))]
    )
    sort = django_filters.ChoiceFilter(label=_("Sort by"), method="sort_by", empty_label=None, choices=SORTS)

    class Meta:
        form = Form
        fields = []

    def __init__(self, data=None, *, queryset, user, **kwargs):
        self.user = user
        super().__init__(data, queryset=queryset.order_by("-created_at", "-id"), **kwargs)

    def filter_mine(self, queryset: QuerySet, name, value) -> QuerySet:
        holds_pre_meeting = Exists(PreMeeting.objects.filter(referral=OuterRef("pk"), coach=self.user))
        return queryset.filter(Q(referrer=self.user) | Q(written_by=self.user) | holds_pre_meeting)

    def sort_by(self, queryset: QuerySet, name, value) -> QuerySet:
        if value == "name":
            # A masked name sorts last, so its place tells nothing of it (docs/domain.md#identity-lookup).
            masked = Case(When(access.referral_identity_seen(self.user), then=Value(0)), default=Value(1))
            return queryset.annotate(masked=masked).order_by("masked", Lower("last_name"), Lower("first_name"), "id")
        return queryset.order_by("created_at", "id")
