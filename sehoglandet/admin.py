"""Admin for reference data and user accounts. Changes go through sehoglandet.services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from . import second_factor, services
from .models import (
    AccessLog,
    Association,
    Membership,
    Municipality,
    Organisation,
    ReferralGroup,
    ReferralGroupMember,
    ReferralGroupSeat,
    Role,
)


def _holds(field, value) -> bool:
    """Whether the field can hold the value: not a word where a number goes, nor a number beyond
    what the database's integer takes."""
    try:
        field.clean(value, None)
    except ValidationError:
        return False
    return True


def _id_or_404(model, value: str) -> None:
    """Refuse with 404 an id the model's primary key cannot hold (a word, a fraction, beyond 64 bits)."""
    if not _holds(model._meta.pk, value):
        raise Http404


class RecordAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete, which shows a posted id no database integer holds as no choice. Django
    looks the ids up with `id IN (…)` when it shows the form again, and SQLite raises OverflowError
    for such an id: a 500 where the form's error belongs."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        return super().optgroups(name, [item for item in value if _holds(target, item)], attr)


class HistoryAdmin(SimpleHistoryAdmin):
    """simple_history's admin, where an address whose id is no id at all is a 404.

    simple_history looks the ids up as they come, so `history/password/` (or any word where the
    version's number goes) raised a ValueError and answered 500. Every admin with history uses this.

    A past version is reverted only by whoever may change the record: simple_history checks only
    the view permission and hides the button, so a POST reverted rows the admin never edits.
    """

    def history_view(self, request, object_id, extra_context=None):
        _id_or_404(self.model, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _id_or_404(self.model, unquote(object_id))
        _id_or_404(get_history_model_for_model(self.model), version_id)
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = RecordAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ServiceBackedAdmin(HistoryAdmin):
    """Creation and deletion go through a service; rows are never edited in place."""

    def has_change_permission(self, request, obj=None):
        return False

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReferenceDataAdmin(HistoryAdmin):
    """Organisations and referral groups come from the reference-data file (load_reference_data)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Association)
class AssociationAdmin(ReferenceDataAdmin):
    list_display = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(ReferenceDataAdmin):
    list_display = ["name", "short_name", "kind", "municipality"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name", "code"]


class SeatInline(admin.TabularInline):
    model = ReferralGroupSeat
    fields = ["organisation"]
    readonly_fields = ["organisation"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReferralGroup)
class ReferralGroupAdmin(ReferenceDataAdmin):
    inlines = [SeatInline]


@admin.register(Municipality)
class MunicipalityAdmin(HistoryAdmin):
    """Only the coach FTE is edited here; it sets the municipality's capacity."""

    list_display = ["name", "coach_fte_percent", "capacity", "se_team"]
    fields = ["name", "code", "se_team", "coach_fte_percent", "capacity"]
    readonly_fields = ["name", "code", "se_team", "capacity"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.update_municipality(actor=request.user, municipality=obj, coach_fte_percent=obj.coach_fte_percent)


@admin.register(Membership)
class MembershipAdmin(ServiceBackedAdmin):
    list_display = ["user", "role", "organisation"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        membership = services.add_membership(
            actor=request.user, user=obj.user, organisation=obj.organisation, role=obj.role
        )
        if membership.role == Role.COACH:
            services.set_coach_share(actor=request.user, membership=membership, fte_percent=obj.fte_percent)
        obj.pk = membership.pk

    def delete_model(self, request, obj):
        services.remove_membership(actor=request.user, membership=obj)


class ReferralGroupMemberForm(forms.ModelForm):
    class Meta:
        model = ReferralGroupMember
        fields = ["seat", "user"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("seat") and cleaned.get("user"):
            services.check_may_take_seat(seat=cleaned["seat"], user=cleaned["user"])
        return cleaned


@admin.register(ReferralGroupMember)
class ReferralGroupMemberAdmin(ServiceBackedAdmin):
    form = ReferralGroupMemberForm
    list_display = ["user", "seat"]
    list_filter = ["seat__referral_group"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        obj.pk = services.add_referral_group_member(actor=request.user, seat=obj.seat, user=obj.user).pk

    def delete_model(self, request, obj):
        services.remove_referral_group_member(actor=request.user, member=obj)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only for whoever holds the view permission; nobody can add, change or delete a row."""

    list_display = ["created_at", "user", "organisation", "action", "object_type", "object_id", "purpose"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(User)
admin.site.unregister(Group)
# A device holds the secret of someone's second factor: nobody sees or edits one in the admin. An
# administrator resets a user's devices from the user's page (SEUserAdmin.second_factor_reset_view).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class PasswordLinkWidget(auth_forms.ReadOnlyPasswordHashWidget):
    """The password summary, whose button goes to the user's password page by its full address."""

    def __init__(self, password_url: str, attrs=None):
        super().__init__(attrs)
        self.password_url = password_url

    def get_context(self, name, value, attrs):
        return {**super().get_context(name, value, attrs), "password_url": self.password_url}


class SEUserChangeForm(auth_forms.UserChangeForm):
    """Django links the password button to "../password/", right only from the change page: from a
    past version's page (history/<version>/) it led to history/password/."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password is not None and self.instance.pk is not None:
            password.widget = PasswordLinkWidget(reverse("admin:auth_user_password_change", args=[self.instance.pk]))


@admin.register(User)
class SEUserAdmin(UserAdmin, HistoryAdmin):
    form = SEUserChangeForm
    change_form_template = "admin/sehoglandet/user_change_form.html"
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    readonly_fields = ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]

    def get_urls(self):
        reset = path(
            "<id>/second-factor/reset/",
            self.admin_site.admin_view(self.second_factor_reset_view),
            name="auth_user_second_factor_reset",
        )
        return [reset, *super().get_urls()]

    def second_factor_reset_view(self, request, id):
        """The button on a user's page: a confirmation page (GET), then the reset (POST) through
        services.reset_second_factor, which checks the administrator role and logs it."""
        _id_or_404(self.model, unquote(id))
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            raise Http404
        if request.method == "POST":
            services.reset_second_factor(actor=request.user, user=user)
            self.message_user(
                request,
                _("The second factor of %(user)s is reset: they add an authenticator app the next time they sign in.")
                % {"user": user.get_username()},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": user,
            "title": _("Reset second factor"),
            "has_app": second_factor.has_app(user),
            "codes_left": second_factor.recovery_codes_left(user),
        }
        return TemplateResponse(request, "admin/sehoglandet/second_factor_reset.html", context)


@admin.register(Group)
class SEGroupAdmin(GroupAdmin):
    def has_change_permission(self, request, obj=None):
        return False
