"""Every model with data about people or organisations keeps its history; password hashes never do."""

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalChanges, registered_models

from reporting.models import (
    AdoptedReportScope,
    EnrolmentEmployment,
    EnrolmentIncome,
    EnrolmentMunicipalityPeriod,
    EnrolmentStatistic,
    ReferralStatistic,
)
from sehoglandet.models import AccessLog, CaseEvent

APPS = ["sehoglandet", "referrals", "participants", "consent", "reporting"]

# The anonymous statistical records (docs/domain.md#statistical-record) have no history by design:
# they hold no identity, and a history table would keep the links to the live records that the
# retention purge removes.
ANONYMOUS_STATISTICS = (
    EnrolmentStatistic,
    EnrolmentMunicipalityPeriod,
    EnrolmentIncome,
    EnrolmentEmployment,
    ReferralStatistic,
)


# A scope of an adopted report (docs/domain.md#adopted-reports) holds aggregates only and is written
# once with its adoption, which keeps its history; a history table would copy every archived PDF.
WRITTEN_ONCE = (AdoptedReportScope,)


def models_that_need_history() -> list[type]:
    """Every concrete model of our apps, except the access log and the case events (append-only, each
    is its own record), the anonymous statistical records, guardian's object-permission rows and the
    historical models themselves."""
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.proxy or model in (AccessLog, CaseEvent, *ANONYMOUS_STATISTICS, *WRITTEN_ONCE):
                continue
            if issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase | HistoricalChanges):
                continue
            found.append(model)
    return found


def has_history(model: type) -> bool:
    return model in registered_models.values() or hasattr(model, "history")


def test_the_list_of_models_checked_is_not_empty():
    labels = {model._meta.label for model in models_that_need_history()}

    assert {"sehoglandet.Organisation", "sehoglandet.Membership", "sehoglandet.ReferralGroupMember"} <= labels
    assert "sehoglandet.AccessLog" not in labels


@pytest.mark.parametrize("model", models_that_need_history(), ids=lambda model: model._meta.label)
def test_every_model_keeps_its_history(model):
    assert has_history(model), f"{model._meta.label} has no History()"


@pytest.mark.parametrize("model", models_that_need_history(), ids=lambda model: model._meta.label)
def test_every_history_manager_class_is_built_once(model):
    """Declared with sehoglandet.history.History, not simple_history's HistoricalRecords, which builds
    a new manager class on every access, that is for every history row written."""
    assert type(model.history) is type(model.history), f"{model._meta.label}: use History(), not HistoricalRecords()"


def test_user_accounts_keep_their_history(db):
    user = User.objects.create_user("historik", first_name="Hedda", password="demo-2026-historik")

    user.first_name = "Hedvig"
    user.is_active = False
    user.save()

    rows = list(User.history.filter(id=user.pk).order_by("history_date", "history_id"))
    assert [row.history_type for row in rows] == ["+", "~"]
    assert rows[0].first_name == "Hedda"
    assert rows[-1].first_name == "Hedvig"
    assert rows[-1].is_active is False


def test_the_history_of_a_user_account_never_holds_the_password_hash(db):
    user = User.objects.create_user("historik", password="demo-2026-historik")
    user.set_password("an-entirely-new-secret")
    user.save()

    history_fields = {field.name for field in User.history.model._meta.fields}
    assert "password" not in history_fields
    stored = [value for row in User.history.filter(id=user.pk).values() for value in row.values()]
    assert user.password not in stored
    assert not any(isinstance(value, str) and "md5$" in value for value in stored)
