import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import Form
from .models import AccessLog


class AccessLogFilterForm(Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The to date cannot be before the from date."))
        return cleaned


def _date_filter(lookup: str, label: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="created_at",
        lookup_expr=lookup,
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(
        field_name="user__username", lookup_expr="iexact", label=_("User name"), max_length=150
    )
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person id"), min_value=1)
    date_from = _date_filter("date__gte", _("From date"))
    date_to = _date_filter("date__lte", _("To date"))
    action = django_filters.ChoiceFilter(choices=AccessLog.Action.choices, label=_("Action"), empty_label=_("All"))

    class Meta:
        model = AccessLog
        fields = []
        form = AccessLogFilterForm
