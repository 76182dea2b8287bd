"""The reporting tests read published figures as literals where the true count is a multiple of 3: with
the rounding's reach (reporting.disclosure.REACH, one step of 3 further one time in five) switched off,
such a count is published as it is. The reach is tested where disclosure itself is the subject:
test_disclosure.py and test_disclosure_attack.py are marked `with_reach` and run with it."""

import pytest

from reporting import disclosure


@pytest.fixture(autouse=True)
def rounding_without_reach(request, monkeypatch):
    if request.node.get_closest_marker("with_reach") is None:
        monkeypatch.setattr(disclosure, "REACH", 0)
