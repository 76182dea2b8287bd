"""The participant list's filters (django-filter): status, closed included; the responsible coach,
"mine" first; and the order, by name or by the decision's date. Filtered in the database on the
participant's own columns, which the `lists_*` indexes serve."""

import django_filters
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form

from .models import Participant

OPEN = ""
EVERY_STATUS = "all"
MINE = "mine"
NOBODY = "none"
SORTS = [
    ("", _("Status, newest decision first")),
    ("name", _("Name (A–Ö)")),
    ("-decided", _("Decision, newest first")),
    ("decided", _("Decision, oldest first")),
]


class ParticipantFilter(django_filters.FilterSet):
    """`user` is the asking user: "mine" is theirs, and their municipalities' coaches are the choices.
    `coaches` are those coaches as (id, name); `coached` the ids of the municipalities where the user
    coaches (and so sees every name); `open_statuses` the statuses listed when none is chosen."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), method="filter_status", empty_label=_("All open statuses"), choices=[]
    )
    coach = django_filters.ChoiceFilter(
        label=_("Responsible coach"), method="filter_coach", empty_label=_("All coaches"), choices=[]
    )
    sort = django_filters.ChoiceFilter(label=_("Sort by"), method="sort_by", empty_label=None, choices=SORTS)

    class Meta:
        form = Form
        fields = []

    def __init__(self, data=None, *, queryset, user, coaches, coached, open_statuses, **kwargs):
        self.user, self.coached, self.open_statuses = user, coached, open_statuses
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["status"].extra["choices"] = [
            *[(status.value, status.label) for status in Participant.Status],
            (EVERY_STATUS, _("All, closed included")),
        ]
        self.filters["coach"].extra["choices"] = [
            *([(MINE, _("Mine"))] if any(pk == user.pk for pk, _name in coaches) else []),
            (NOBODY, _("No responsible coach")),
            *[(str(pk), name) for pk, name in coaches],
        ]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        if not data.get("status"):
            queryset = queryset.filter(status__in=self.open_statuses)
        if not data.get("sort"):
            queryset = queryset.order_by("status", "-decided_on", "-id")
        return super().filter_queryset(queryset)

    def filter_status(self, queryset, name, value):
        return queryset if value == EVERY_STATUS else queryset.filter(status=value)

    def filter_coach(self, queryset, name, value):
        if value == MINE:
            return queryset.filter(responsible_coach=self.user)
        if value == NOBODY:
            return queryset.filter(responsible_coach__isnull=True)
        return queryset.filter(responsible_coach_id=int(value))

    def sort_by(self, queryset, name, value):
        if value == "name":
            # A protected identity the user may not see sorts last, so its place tells nothing of the
            # name (docs/domain.md#protected-identity).
            hidden = When(Q(person__protected_identity=True) & ~Q(municipality__in=self.coached), then=Value(1))
            return queryset.annotate(masked=Case(hidden, default=Value(0))).order_by(
                "masked", Lower("person__last_name"), Lower("person__first_name"), "id"
            )
        if value == "-decided":
            return queryset.order_by(F("decided_on").desc(), "-id")
        return queryset.order_by("decided_on", "id")
