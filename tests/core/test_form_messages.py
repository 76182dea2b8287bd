"""An empty required field says which field it is, on every form of ours."""

import importlib
import pkgutil

from django import forms
from django.urls import reverse
from django.utils import translation

from sehoglandet.forms import Form, NamedRequiredMessages
from tests.helpers import body, shows

APPS = ["consent", "participants", "project", "referrals", "reporting", "sehoglandet"]


def project_forms() -> list[type[forms.BaseForm]]:
    """Every form class defined in the project's form and filter modules (the admin's aside)."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.iter_modules(package.__path__):
            if "form" in module.name or "filter" in module.name:
                importlib.import_module(f"{app}.{module.name}")
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in APPS and cls.__module__ != "sehoglandet.admin":
            found.append(cls)
    return found


def test_every_form_of_ours_names_its_empty_required_fields():
    classes = project_forms()

    assert len(classes) > 30
    assert [cls.__qualname__ for cls in classes if not issubclass(cls, NamedRequiredMessages)] == []


class Example(Form):
    first_name = forms.CharField(label="First name")
    gender = forms.ChoiceField(label="Gender", choices=[("f", "F")], widget=forms.RadioSelect)
    municipality = forms.ChoiceField(label="Municipality", choices=[("", "-"), ("n", "N")])
    note = forms.CharField(label="Note", error_messages={"required": "Write the note."})
    later = forms.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["later"].label = "Set in __init__"


def test_an_empty_field_is_named_by_its_label_and_a_choice_asks_to_choose():
    with translation.override("en"):
        form = Example(data={})

        assert form.errors == {
            "first_name": ["First name must be filled in."],
            "gender": ["Gender must be chosen."],
            "municipality": ["Municipality must be chosen."],
            "note": ["Write the note."],
            "later": ["Set in __init__ must be filled in."],
        }


def test_the_error_summary_does_not_repeat_a_label_the_message_already_holds(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})

    assert response.status_code == 200
    text = body(response)
    assert shows(text, ("Användarnamn måste fyllas i.", "Användarnamn must be filled in."))
    assert "Användarnamn: Användarnamn" not in text
    assert "Detta fält måste fyllas i." not in text


def test_djangos_account_forms_name_their_fields_too(client, client_for):
    reset = client.post(reverse("password_reset"), {"email": ""})
    change = client_for("coach.nassjo").post(reverse("password_change"), {})

    assert shows(body(reset), ("E-postadress måste fyllas i.", "E-postadress must be filled in."))
    assert shows(body(change), ("Gammalt lösenord måste fyllas i.", "Gammalt lösenord must be filled in."))
