"""Forms for transfers between municipalities: starting one, booking the meeting, the queue order.

They parse what was typed; the rules (consent, not the same municipality, one waiting transfer,
no meeting in the past) are checked by the services, whose ValidationErrors the views show.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form
from sehoglandet.models import Municipality

MEETING_AT_HELP = _("Write the date and time as ÅÅÅÅ-MM-DD TT:MM.")


def meeting_at_field(*, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Date and time of the meeting"),
        required=required,
        help_text=MEETING_AT_HELP,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Give the date and time of the meeting."),
            "invalid": _("Give the date and time as ÅÅÅÅ-MM-DD TT:MM."),
        },
    )


def meeting_place_field() -> forms.CharField:
    return forms.CharField(label=_("Place of the meeting"), max_length=200, required=False)


class TransferStartForm(Form):
    """The receiving municipality, a note to its coach and, if already agreed, the transfer meeting."""

    to_municipality = forms.ModelChoiceField(
        label=_("Receiving municipality"),
        queryset=Municipality.objects.none(),
        empty_label=_("Choose a municipality"),
        error_messages={
            "required": _("Choose the municipality the participant moves to."),
            "invalid_choice": _("Choose one of the other municipalities with an SE team."),
        },
    )
    note = forms.CharField(
        label=_("To the receiving coach"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the receiving coach needs to know to plan; the journal follows the participant."),
    )
    meeting_at = meeting_at_field(required=False)
    meeting_place = meeting_place_field()

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_municipality"].queryset = (
            Municipality.objects.filter(se_team__isnull=False)
            .exclude(pk=participant.municipality_id)
            .select_related("se_team")
            .order_by("name")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("meeting_place") and not cleaned.get("meeting_at") and "meeting_at" not in self.errors:
            self.add_error("meeting_at", _("Give the date and time of the meeting, or leave the place empty."))
        return cleaned


class TransferMeetingForm(Form):
    """Book or change the meeting with the participant, the handing-over and the receiving coach."""

    meeting_at = meeting_at_field(required=True)
    meeting_place = meeting_place_field()


class TransferMoveForm(Form):
    """One place up or down in the receiving municipality's transfer queue."""

    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])

    @property
    def up(self) -> bool:
        return self.cleaned_data["direction"] == "up"
