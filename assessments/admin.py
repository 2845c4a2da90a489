"""Admin for review cycles. Assessments are listed by status only: evidence stays private."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from assessments import roles
from assessments.models import (
    Assessment,
    CommitteeChange,
    Cycle,
    DirectoryEntry,
    Event,
    HRPartner,
    PacketJob,
    PeerRequest,
    ScimToken,
)
from assessments.permissions import (
    UNDER_REVIEW,
    can_manage_people,
    department_refusal,
    password_refusal,
)
from ladder.admin import BoundedGroupAdmin, PersonAdmin
from ladder.admin_lists import BoundedSearch
from ladder.models import Framework, User, end_sessions


class ActorForm(forms.ModelForm):
    """A form that knows who is saving it: the admin sets `actor` on the class it builds."""

    actor: User


def with_actor(form_class: type[ActorForm], request) -> type[ActorForm]:
    # get_form builds a new class for each request, so the attribute is this request's.
    form_class.actor = request.user
    return form_class


class CycleForm(ActorForm):
    def clean_calibrators(self):
        group = self.cleaned_data.get("calibrators")
        # Asked only of a change: a member may still edit the deadlines of their cycle.
        if "calibrators" in self.changed_data:
            roles.check_committee(self.instance, by=self.actor, group=group)
        return group


@admin.register(Cycle)
class CycleAdmin(BoundedSearch, admin.ModelAdmin):
    list_display = [
        "name",
        "framework",
        "status",
        "phase",
        "self_assessment_due",
        "manager_review_due",
        "calibration_due",
        "assessment_count",
    ]
    list_filter = ["status", "framework"]
    search_fields = ["name"]
    actions = ["open_cycles", "close_cycles"]
    readonly_fields_always = ["phase", "calibration_closed_at"]
    fieldsets = [
        (None, {"fields": ["name", "framework", "status", "phase", "self_enrolment"]}),
        (
            "Calibration",
            {
                "fields": ["calibrators", "calibration_closed_at"],
                "description": "Members of this group sit on the cycle's committee: they read "
                "the packets of reviewed assessments and decide outcomes. Members are "
                "shown and changed on the committee's own page, under Calibration "
                "committees (/committees/).",
            },
        ),
        (
            "Deadlines",
            {
                "fields": ["self_assessment_due", "manager_review_due", "calibration_due"],
                "description": "Shown wherever people act. After the self-assessment "
                "deadline, drafts lock unless the person was given more time on the "
                "cycle's page; reviews and decisions never lock by date.",
            },
        ),
        (
            "Peer input",
            {
                "fields": [
                    "peers_min",
                    "peers_max",
                    "peers_anonymous",
                    "upward_input",
                    "peer_names_to_reviewers",
                    "peers_by_behaviour",
                ],
                "description": "Engineers nominate colleagues while self-assessing; their "
                "manager approves. Colleagues answer on the framework's areas (or its "
                "behaviours, fixed once anyone has been asked). Nobody, "
                "admins included, reads an answer here: only the review's readers do, on "
                "its pages.",
            },
        ),
        (
            "Reminders and announcements",
            {
                "fields": ["reminder_days", "remind_overdue", "chat_webhook_url"],
                "description": "Sent by the background worker each morning; nobody gets "
                "the same reminder twice, and people may turn reminders off.",
            },
        ),
    ]

    form = CycleForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_actor(super().get_form(request, obj, change, **kwargs), request)

    def save_model(self, request, obj, form, change):
        # The committee changes through roles, which records who joined and left.
        group = obj.calibrators
        obj.calibrators_id = form.initial.get("calibrators") if change else None
        super().save_model(request, obj, form, change)
        roles.set_committee(obj, by=request.user, group=group)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("framework")
            .annotate(assessment_total=Count("assessments"))
        )

    def get_readonly_fields(self, request, obj=None):
        # Ratings point at the pinned version's behaviours; it can't change under them.
        pinned = ["framework"] if obj is not None and obj.assessments.exists() else []
        # Colleagues already asked answer what they were asked: per area or per behaviour.
        if obj is not None and PeerRequest.objects.filter(assessment__cycle=obj).exists():
            pinned.append("peers_by_behaviour")
        return [*pinned, *self.readonly_fields_always]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.published()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Assessments", ordering="assessment_total")
    def assessment_count(self, obj):
        return obj.assessment_total

    @admin.action(
        description="Open the selected cycles for self-assessments", permissions=["change"]
    )
    def open_cycles(self, request, queryset):
        count = queryset.update(status=Cycle.Status.OPEN)
        self.message_user(
            request, f"Opened {count} cycle{'s' if count != 1 else ''}.", messages.SUCCESS
        )

    @admin.action(description="Close the selected cycles", permissions=["change"])
    def close_cycles(self, request, queryset):
        count = queryset.update(status=Cycle.Status.CLOSED)
        self.message_user(
            request, f"Closed {count} cycle{'s' if count != 1 else ''}.", messages.SUCCESS
        )


@admin.register(Assessment)
class AssessmentAdmin(BoundedSearch, admin.ModelAdmin):
    """Progress at a glance for whoever runs the cycle; no scores, no evidence."""

    list_display = ["engineer", "cycle", "level", "status", "reviewer", "submitted_at"]
    list_filter = ["cycle", "status"]
    search_fields = ["engineer__username", "engineer__first_name", "engineer__last_name"]
    list_select_related = ["engineer", "cycle", "level", "reviewer"]
    fields = [
        "engineer",
        "cycle",
        "level",
        "status",
        "reviewer",
        "move_review",
        "submitted_at",
        "returned_at",
        "reviewed_at",
        "calibrated_at",
        "shared_at",
    ]
    readonly_fields = fields

    @admin.display(description="Move the review")
    def move_review(self, obj):
        # Changing someone's manager moves no review: that is its own recorded act.
        if obj.status not in (*UNDER_REVIEW, "reviewed") or obj.cycle.calibration_closed:
            return "Only a review under way, or finished and not yet decided, can move."
        return format_html(
            '<a href="{}">Move this review to another person…</a>',
            reverse("assessments:reviewer", args=[obj.pk]),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly:
    """Rows the app writes and nobody edits by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnly, BoundedSearch, admin.ModelAdmin):
    """The history of assessments, read-only. What changed is shown in the app, to whoever
    may read it; here only who did what and when, so no comment or score leaks."""

    list_display = ["at", "assessment", "kind", "actor"]
    list_filter = ["kind"]
    search_fields = ["actor__username", "assessment__engineer__username"]
    list_select_related = [
        "assessment__engineer",
        "assessment__cycle",
        "assessment__level",
        "actor",
    ]
    fields = ["at", "assessment", "kind", "actor"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PacketJob)
class PacketJobAdmin(ReadOnly, BoundedSearch, admin.ModelAdmin):
    """Background packet downloads: whether they ran. The PDFs go only to who asked."""

    list_display = ["created_at", "cycle", "scope", "requested_by", "status", "done", "total"]
    list_filter = ["status", "scope"]
    search_fields = ["requested_by__username"]
    list_select_related = ["cycle", "requested_by"]
    fields = [
        "cycle",
        "scope",
        "level",
        "requested_by",
        "status",
        "done",
        "total",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "heartbeat_at",
    ]
    readonly_fields = fields


# The worker's job list, with the search bound every admin list here has.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class BackgroundJobAdmin(BoundedSearch, DBTaskResultAdmin):
    search_fields = ["task_path"]


@admin.register(CommitteeChange)
class CommitteeChangeAdmin(ReadOnly, BoundedSearch, admin.ModelAdmin):
    """Who joined or left which committee, and by whose hand; also on the committee's page."""

    list_display = ["at", "cycle", "member", "kind", "actor"]
    list_filter = ["cycle", "kind"]
    search_fields = ["member__username", "actor__username"]
    list_select_related = ["cycle", "member", "actor"]
    fields = ["at", "cycle", "member", "kind", "actor"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


class GuardedPersonForm(UserChangeForm):
    """A person's manager and groups, refused where they would hand the saver a review."""

    actor: User

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        if manager is not None and manager.pk != self.initial.get("manager"):
            roles.check_manager(self.instance, by=self.actor, to=manager)
        return manager

    def clean_department(self):
        department = self.cleaned_data.get("department", "")
        if self.instance.pk and department != self.initial.get("department"):
            refusal = department_refusal(self.actor, self.instance, department)
            if refusal:
                raise forms.ValidationError(refusal)
        return department

    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        if groups is not None:
            roles.check_groups(self.instance, by=self.actor, groups=groups)
        return groups


# The people's admin, as ladder.admin lays it out, with its two review-granting
# fields (manager, groups) saved through assessments.roles.
admin.site.unregister(User)


@admin.register(User)
class GuardedPersonAdmin(PersonAdmin):
    form = GuardedPersonForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if issubclass(form, GuardedPersonForm):
            form.actor = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        # Nobody widens their own rights: another admin does, on the record.
        own = ["is_superuser", "groups", "user_permissions"]
        fields = super().get_readonly_fields(request, obj)
        return [*fields, *own] if obj is not None and obj.pk == request.user.pk else fields

    def user_change_password(self, request, id, form_url=""):
        person = self.get_object(request, unquote(id))
        if person is not None and self.has_change_permission(request, person):
            refusal = password_refusal(request.user, person)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return redirect("admin:ladder_user_change", person.pk)
        response = super().user_change_password(request, id, form_url)
        done = reverse("admin:ladder_user_change", args=[person.pk]) if person else None
        if request.method == "POST" and getattr(response, "url", None) == done:
            roles.password_set(person, by=request.user)
        return response

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivated: signed out everywhere, with the change.
            end_sessions([obj.pk])
        if not change or "manager" not in form.changed_data:
            return super().save_model(request, obj, form, change)
        manager = obj.manager
        obj.manager_id = form.initial.get("manager")
        super().save_model(request, obj, form, change)
        roles.set_manager(obj, by=request.user, to=manager)

    def save_related(self, request, form, formsets, change):
        groups = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if groups is not None:
            roles.set_groups(form.instance, by=request.user, groups=groups)


# Deleting a committee's group unseats its members: recorded and told, as any change.
admin.site.unregister(Group)


@admin.register(Group)
class CommitteeAwareGroupAdmin(BoundedGroupAdmin):
    def delete_model(self, request, obj):
        roles.delete_groups([obj], by=request.user)

    def delete_queryset(self, request, queryset):
        roles.delete_groups(queryset, by=request.user)


class HRPartnerForm(ActorForm):
    class Meta:
        model = HRPartner
        fields = ["person", "department", "manager"]

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        if person is not None:
            roles.check_partner(person, by=self.actor)
        return cleaned


@admin.register(HRPartner)
class HRPartnerAdmin(BoundedSearch, admin.ModelAdmin):
    """Who is HR partner for which part of the company; granted by someone else, on the record."""

    form = HRPartnerForm
    list_display = ["person", "scope", "granted_by", "granted_at"]
    list_select_related = ["person", "manager", "granted_by"]
    search_fields = ["person__username", "person__first_name", "person__last_name", "department"]
    raw_id_fields = ["person", "manager"]
    readonly_fields = ["granted_by", "granted_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_actor(super().get_form(request, obj, change, **kwargs), request)

    def save_model(self, request, obj, form, change):
        obj.granted_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="Looks after", ordering="department")
    def scope(self, obj):
        return obj.scope_label


@admin.register(ScimToken)
class ScimTokenAdmin(BoundedSearch, admin.ModelAdmin):
    """Tokens for the identity provider's SCIM client: made here, shown once, revoked here."""

    list_display = ["name", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["created_by"]
    search_fields = ["name"]
    fields = ["name", "revoked_at", "created_by", "created_at", "last_used_at"]
    readonly_fields = ["created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # The directory creates people and moves them between managers: whoever
        # makes its token must be someone who may change people.
        return super().has_add_permission(request) and can_manage_people(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from assessments import scim

        token = scim.generate()
        obj.digest = scim.digest(token)
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            format_html(
                "Give this token to {}, as its SCIM bearer token, with the base URL {}. "
                "It is shown this once: <code>{}</code>",
                obj.name,
                request.build_absolute_uri("/scim/v2"),
                token,
            ),
            messages.WARNING,
        )


@admin.register(DirectoryEntry)
class DirectoryEntryAdmin(ReadOnly, BoundedSearch, admin.ModelAdmin):
    """Who the identity provider keeps in step, and whom it deprovisioned."""

    list_display = ["person", "external_id", "modified_at", "deprovisioned_at"]
    list_select_related = ["person"]
    list_filter = [("deprovisioned_at", admin.EmptyFieldListFilter)]
    search_fields = ["person__username", "person__email", "external_id"]
    fields = ["person", "external_id", "created_at", "modified_at", "deprovisioned_at"]
