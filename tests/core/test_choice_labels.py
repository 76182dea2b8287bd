"""The choice filter shows what get_<field>_display() shows, in the reader's language."""

from django.template import Context, Template
from django.utils import translation

from participants.models import Participant

TEMPLATE = Template(
    '{% load sehoglandet %}{{ participant|choice:"status" }}|{{ participant|choice:"exit_reason" }}|'
    '{{ nobody|choice:"status"|default:"–" }}'
)


def shown(participant, language: str) -> str:
    with translation.override(language):
        return TEMPLATE.render(Context({"participant": participant, "nobody": None}))


def test_it_shows_the_label_a_blank_value_as_it_is_and_no_record_as_none():
    participant = Participant(status=Participant.Status.QUEUED, exit_reason="")

    assert shown(participant, "sv") == "I kö||–"


def test_it_shows_the_label_in_the_language_of_the_page_being_rendered():
    participant = Participant(status=Participant.Status.QUEUED)

    assert shown(participant, "en") == "In the queue||–"
    assert shown(participant, "sv") == "I kö||–"


def test_it_agrees_with_get_display_for_every_status():
    for status in Participant.Status:
        participant = Participant(status=status)
        with translation.override("sv"):
            expected = participant.get_status_display()

        assert shown(participant, "sv").split("|")[0] == expected
