"""Forms for the indicator survey's paper answers and the manager's half-year certification.

They parse what was typed; the rules (own municipality, no future date, a "no" needs a comment,
once per half-year) are checked by the services, whose ValidationErrors the views put back here.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sehoglandet.forms import Form, date_field
from sehoglandet.models import Municipality

from .models import EXTENT_STEPS, FREQUENCY_STEPS, SCALE_STEPS, SURVEY_QUESTIONS, SurveyResponse, SurveyScale
from .selectors import HalfYear

NO_ANSWER = ("", _("No answer"))


def municipality_field(municipalities: list) -> forms.ModelChoiceField:
    """A choice among the user's own municipalities, preselected when there is only one."""
    return forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.filter(pk__in=[m.pk for m in municipalities]).order_by("name"),
        empty_label=None if len(municipalities) == 1 else "---------",
        error_messages={"invalid_choice": _("Choose one of your own municipalities.")},
    )


class SurveyResponseForm(Form):
    """One paper form, as it looks on paper: who answered, then the seven questions, each a row of
    six steps that may be left empty."""

    answered_on = date_field(_("Date of the answers"), help_text=_("The day the form was filled in, as ÅÅÅÅ-MM-DD."))
    gender = forms.ChoiceField(
        label=_("About you"),
        choices=SurveyResponse.Gender.choices,
        widget=forms.RadioSelect,
        help_text=_("If nothing is ticked on the paper, choose the last option."),
        error_messages={"required": _("Choose what the form says about the respondent.")},
    )

    def __init__(self, *args, municipalities: list, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("answered_on", timezone.localdate())
        if len(municipalities) == 1:
            initial.setdefault("municipality", municipalities[0].pk)
        for name, _question, _scale in SURVEY_QUESTIONS:
            initial.setdefault(name, "")
        super().__init__(*args, **kwargs)
        self.fields = {"municipality": municipality_field(municipalities), **self.fields}
        for number, (name, question, scale) in enumerate(SURVEY_QUESTIONS, start=1):
            steps = FREQUENCY_STEPS if scale == SurveyScale.FREQUENCY else EXTENT_STEPS
            self.fields[name] = forms.TypedChoiceField(
                label=f"{number}. {question}",
                choices=[*steps, NO_ANSWER],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("The answer to question %(number)s must be one of the steps 1–%(steps)s.")
                    % {"number": number, "steps": SCALE_STEPS}
                },
            )

    @property
    def question_fields(self) -> list:
        return [self[name] for name, _question, _scale in SURVEY_QUESTIONS]

    def answers(self) -> dict:
        return {name: self.cleaned_data[name] for name, _question, _scale in SURVEY_QUESTIONS}


class CertificationForm(Form):
    """The manager's written certification of a half-year: the two statements, and a comment."""

    # Any half-year parses, so that the service can say why one is refused (not yet ended, say);
    # the list offers the recent ones.
    half_year = forms.CharField(label=_("Half-year"), widget=forms.Select)
    follows_description = forms.BooleanField(
        label=_(
            "I certify that the service has been run according to the service description, in addition to "
            "the municipality's ordinary activities."
        ),
        required=False,
    )
    fte_as_agreed = forms.BooleanField(
        label=_(
            "I certify that the coaches have worked with SE-Höglandet at the share of a post the steering "
            "group set for the municipality."
        ),
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Needed if you cannot tick both statements: say what differed. Write about the service, not about "
            "a participant."
        ),
    )

    def __init__(self, *args, municipalities: list, half_years: list[HalfYear], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"municipality": municipality_field(municipalities), **self.fields}
        self.fields["half_year"].widget.choices = [(half_year.code, half_year.label) for half_year in half_years]
        self.fields["fte_as_agreed"].help_text = _("The agreed share of a post: %(shares)s.") % {
            "shares": ", ".join(f"{m.name} {m.coach_fte_percent} %" for m in municipalities)
        }

    def clean_half_year(self) -> HalfYear:
        half_year = HalfYear.from_code(self.cleaned_data["half_year"])
        if half_year is None:
            raise forms.ValidationError(_("Choose a half-year from the list."))
        return half_year
