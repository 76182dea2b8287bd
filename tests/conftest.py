"""Personas for every role, built from the Höglandet reference data and the demo users.

Alice-and-Bob style: `people["coach.nassjo"]` is the Nässjö coach, `people["coach.eksjo"]` the
outsider from another municipality, `people["nobody"]` a signed-in user without any role.
"""

import pytest
from django.contrib.auth.models import User

from sehoglandet import demo, services
from sehoglandet.reference_data import DEFAULT_FILE, parse

ROLE_PERSONAS = [username for username, *_rest in demo.DEMO_USERS]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system_user(db) -> User:
    return services.get_system_user()


@pytest.fixture
def reference_data(system_user) -> dict:
    return services.load_reference_data(actor=system_user, data=parse(DEFAULT_FILE.read_text(encoding="utf-8")))


@pytest.fixture
def people(reference_data) -> dict[str, User]:
    """Every demo user (password demo-2026), plus `nobody`, who holds no role at all."""
    demo.create_demo_users()
    users = {user.username: user for user in User.objects.filter(username__in=ROLE_PERSONAS)}
    users["nobody"] = User.objects.create_user("nobody", password=demo.DEMO_PASSWORD)
    return users


@pytest.fixture
def client_for(client, people):
    """`client_for("coach.nassjo")` is a test client signed in as that persona."""

    def sign_in(username: str):
        client.force_login(people[username], backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in
