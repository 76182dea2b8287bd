"""The forms' renderer (sehoglandet.forms.FormRenderer): our select, which writes its options in place,
gives the markup of Django's own Jinja2 widget templates."""

import pytest
from django import forms
from django.forms.renderers import Jinja2

from sehoglandet.forms import Form, FormRenderer


class OddOption(forms.Select):
    """A select whose options have a template of their own: ours includes it, as Django's does."""

    option_template_name = "django/forms/widgets/input_option.html"


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "Å & <Ö>"), ("b", 'Citat "b"')], initial="a")
    grouped = forms.ChoiceField(choices=[("x", "X"), ("Grupp", [("g1", "G1"), ("g2", "G2")])], initial="g2")
    several = forms.MultipleChoiceField(choices=[("1", "Ett"), ("2", "Två"), ("3", "Tre")], initial=["1", "3"])
    unknown = forms.NullBooleanField()
    disabled = forms.ChoiceField(choices=[("a", "A")], disabled=True, widget=forms.Select(attrs={"class": "wide"}))
    odd = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=OddOption)


@pytest.mark.parametrize("name", list(Choices.base_fields))
def test_a_select_renders_as_djangos_jinja2_templates_render_it(name):
    ours = Choices(renderer=FormRenderer())[name].as_widget()
    djangos = Choices(renderer=Jinja2())[name].as_widget()

    assert ours == djangos
    assert "<option" in ours or 'type="' in ours


def test_the_project_forms_render_with_it():
    assert isinstance(Form.default_renderer, FormRenderer)
