"""The Django admin, arranged for the people who write and publish the ladder."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from ladder import services
from ladder.admin_lists import BoundedSearch
from ladder.exporters import IncompleteLevelError, export_level
from ladder.models import (
    Area,
    Behaviour,
    Framework,
    Level,
    Responsibility,
    Track,
    User,
    WorkerHeartbeat,
)
from ladder.rubric_text import plain
from ladder.safe_markdown import render_markdown
from ladder.scale import DEFAULT


def _framework_of(obj) -> Framework | None:
    match obj:
        case Framework():
            return obj
        case Level():
            return obj.framework
        case Area():
            return obj.level.framework
        case Responsibility() | Behaviour():
            return obj.area.level.framework
    return None


class FrozenWhenPublished:
    """Everything inside a published version opens read-only and cannot be deleted."""

    def _published(self, obj) -> bool:
        framework = _framework_of(obj)
        return framework is not None and framework.is_published

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._published(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._published(obj)


class FrozenInline(FrozenWhenPublished):
    """Inlines get the parent object, so adding rows to a published parent is refused too."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._published(obj)


@admin.register(Framework)
class FrameworkAdmin(BoundedSearch, FrozenWhenPublished, admin.ModelAdmin):
    list_display = [
        "name",
        "version",
        "status",
        "level_count",
        "published_at",
        "created_at",
        "publish_link",
    ]
    list_filter = ["status", "name"]
    search_fields = ["name", "notes"]
    actions = ["start_drafts"]
    fields = [
        "name",
        "version",
        "status",
        "notes",
        "based_on",
        "published_at",
        "levels_overview",
        "scale_overview",
        "editing",
    ]
    readonly_fields = [
        "version",
        "status",
        "based_on",
        "published_at",
        "levels_overview",
        "scale_overview",
        "editing",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(level_count=Count("levels"))

    def get_readonly_fields(self, request, obj=None):
        # The name is what versions are grouped by, so it is fixed once created.
        return [*self.readonly_fields, "name"] if obj else self.readonly_fields

    @admin.display(description="Levels", ordering="level_count")
    def level_count(self, obj):
        return obj.level_count

    @admin.display(description="Levels in this version")
    def levels_overview(self, obj):
        if obj is None or obj.pk is None:
            return "Save first, then add levels or import them with manage.py import_ladder."
        levels = obj.levels.select_related("framework", "track").order_by("track__name", "rank")
        return render_to_string("admin/ladder/framework_levels.html", {"levels": levels})

    @admin.display(description="Scale")
    def scale_overview(self, obj):
        # Edited on the framework's own page (ladder:edit-scale), where it is checked whole.
        scale = obj.scale if obj is not None and obj.pk is not None else DEFAULT
        return format_html(
            "{} · outcomes: {}",
            ", ".join(f"{step.value} {step.label}" for step in scale.steps),
            ", ".join(outcome.label for outcome in scale.outcomes),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.version = Framework.next_version_number(slugify(obj.name))
        super().save_model(request, obj, form, change)

    # Publishing is a page of its own (ladder:publish), not a bulk action: it shows every
    # change against the previous version and what still blocks it, and asks to confirm.
    @admin.display(description="Publish")
    def publish_link(self, obj):
        if not obj.is_draft:
            return "—"
        return format_html(
            '<a href="{}">Review and publish…</a>',
            reverse("ladder:publish", args=[obj.slug, obj.version]),
        )

    @admin.display(description="Edit and publish")
    def editing(self, obj):
        if obj is None or obj.pk is None or not obj.is_draft:
            return "Published versions can't change; start a new draft from this one to edit."
        levels = obj.levels.select_related("framework", "track").order_by("track__name", "rank")
        html = render_to_string(
            "ladder/admin_framework_editing.html",
            {"framework": obj, "levels": levels},
            using="jinja2",
        )
        # Jinja2 escaped what it wrote; Django's engine returns such text marked safe itself.
        return mark_safe(html)

    @admin.action(description="Start a new draft from the selected version", permissions=["add"])
    def start_drafts(self, request, queryset):
        for framework in queryset:
            try:
                draft = services.new_draft_from(framework)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"Started {draft} from v{framework.version}.")


class AreaInline(FrozenInline, admin.StackedInline):
    model = Area
    fields = ["name", "key", "subgrouped", "description"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("level")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Level)
class LevelAdmin(BoundedSearch, FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["code", "title", "track", "framework", "behaviour_count", "markdown_link"]
    list_filter = ["framework", "track"]
    search_fields = ["code", "title", "summary"]
    list_select_related = ["framework", "track"]
    fields = ["framework", "track", "code", "title", "summary", "markdown_link", "edit_link"]
    readonly_fields = ["markdown_link", "edit_link"]
    inlines = [AreaInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(behaviour_total=Count("areas__behaviours"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.drafts()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Behaviours", ordering="behaviour_total")
    def behaviour_count(self, obj):
        return obj.behaviour_total

    @admin.display(description="Markdown")
    def markdown_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Preview as Markdown</a>',
            reverse("admin:ladder_level_markdown", args=[obj.pk]),
        )

    @admin.display(description="Edit in place")
    def edit_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        framework = obj.framework
        url = reverse(
            "ladder:edit-level", args=[framework.slug, framework.version, obj.track.slug, obj.code]
        )
        if not framework.is_draft:
            return format_html('Published. <a href="{}">Start a draft to edit it</a>', url)
        return format_html('<a href="{}">Edit in place</a>: every text on one page', url)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.markdown_preview)
        return [
            path("<int:pk>/markdown/", preview, name="ladder_level_markdown"),
            *super().get_urls(),
        ]

    def markdown_preview(self, request, pk):
        """The level as its Markdown export, beside that Markdown rendered."""
        level = get_object_or_404(Level.objects.with_rubric(), pk=pk)
        if not self.has_view_permission(request, level):
            raise PermissionDenied
        try:
            text = export_level(level)
            error = None
        except IncompleteLevelError as problem:
            text, error = "", problem
        context = {
            **self.admin_site.each_context(request),
            "title": f"Markdown preview: {level}",
            "level": level,
            "opts": self.model._meta,
            "text": text,
            "html": render_markdown(text) if text else "",
            "error": error,
        }
        return render(request, "admin/ladder/level_markdown.html", context)


class ResponsibilityInline(FrozenInline, admin.StackedInline):
    model = Responsibility
    fields = ["name", "order"]
    extra = 0


class BehaviourForm(forms.ModelForm):
    class Meta:
        model = Behaviour
        fields = ["responsibility", "text", "key", "order"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "cols": 56}),
            "key": forms.TextInput(attrs={"size": 16}),
            "order": forms.NumberInput(attrs={"class": "order-input"}),
        }


class BehaviourInline(FrozenInline, admin.StackedInline):
    model = Behaviour
    form = BehaviourForm
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the responsibilities of the area being edited make sense here, and
        # every row offers the same ones: read them once, not once per row.
        if db_field.name != "responsibility":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        area_id = request.resolver_match.kwargs.get("object_id")
        kwargs["queryset"] = Responsibility.objects.filter(area_id=area_id)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if not hasattr(request, "_responsibility_choices"):
            request._responsibility_choices = list(field.choices)
        field.choices = request._responsibility_choices
        return field


@admin.register(Area)
class AreaAdmin(BoundedSearch, FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["__str__", "key", "level", "framework"]
    list_filter = ["level__framework", "name", "level__track"]
    search_fields = ["level__code", "name", "description", "behaviours__text"]
    list_select_related = ["level__framework"]
    fields = ["level", "name", "key", "subgrouped", "description", "note"]
    inlines = [ResponsibilityInline, BehaviourInline]

    class Media:
        css = {"all": ["css/admin-extra.css"]}

    def get_readonly_fields(self, request, obj=None):
        return ["level", "key", "subgrouped"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level":
            kwargs["queryset"] = Level.objects.filter(framework__status=Framework.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Framework", ordering="level__framework")
    def framework(self, obj):
        return obj.level.framework

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Behaviour)
class BehaviourAdmin(BoundedSearch, FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["words", "key", "responsibility", "area_name", "level_code", "framework"]
    list_filter = ["area__level__framework", "area__name", "area__level__track"]
    search_fields = ["text", "key", "responsibility__name", "area__level__code"]
    list_select_related = ["area__level__framework", "responsibility"]
    fields = ["area", "responsibility", "text", "key", "order"]

    def get_readonly_fields(self, request, obj=None):
        return ["area"] if obj else []

    @admin.display(description="Behaviour", ordering="text")
    def words(self, behaviour: Behaviour) -> str:
        # The list shows what people read; the form shows links as written, [words](url).
        return plain(behaviour.text)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = Area.objects.filter(
                level__framework__status=Framework.Status.DRAFT
            ).select_related("level")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Area", ordering="area__order")
    def area_name(self, obj):
        return obj.area.name

    @admin.display(description="Level", ordering="area__level__code")
    def level_code(self, obj):
        return obj.area.level.code

    @admin.display(description="Framework")
    def framework(self, obj):
        return obj.area.level.framework


@admin.register(Track)
class TrackAdmin(BoundedSearch, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class BlankableFilter(admin.SimpleListFilter):
    """People by a text field, with a worded choice for those without a value (an empty
    value would be a link with no words); the 200 most common values at most."""

    field = ""
    blank_label = ""

    def lookups(self, request, model_admin):
        values = (
            User.objects.exclude(**{self.field: ""})
            .order_by(self.field)
            .values_list(self.field, flat=True)
            .distinct()[:200]
        )
        return [("-", self.blank_label), *((value, value) for value in values)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "-":
            return queryset.filter(**{self.field: ""})
        return queryset.filter(**{self.field: value}) if value else queryset


class LevelCodeFilter(BlankableFilter):
    title = "level"
    parameter_name = "level"
    field = "level_code"
    blank_label = "No level"


class DepartmentFilter(BlankableFilter):
    title = "department"
    parameter_name = "department"
    field = "department"
    blank_label = "No department"


@admin.register(User)
class PersonAdmin(BoundedSearch, UserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "level_code",
        "track",
        "department",
        "manager",
        "is_staff",
    ]
    list_filter = ["track", LevelCodeFilter, DepartmentFilter, "is_staff", "groups"]
    list_select_related = ["track", "manager"]
    # A plain id box with a look-up link: the autocomplete widget's box has no name a
    # screen reader can read (axe: aria-input-field-name).
    raw_id_fields = ["manager"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            "Place in the organisation",
            {"fields": ["manager", "track", "level_code", "department", "started_on"]},
        ),
        ("E-mail", {"fields": ["reminder_emails"]}),
    ]


# django.contrib.auth registers Group before this module runs (it comes first in
# INSTALLED_APPS); registered again here, it gets the same bounded search.
admin.site.unregister(Group)


@admin.register(Group)
class BoundedGroupAdmin(BoundedSearch, GroupAdmin):
    # A plain labelled list: the two-pane widget's search icon carries an ARIA label a
    # plain element may not (axe: aria-prohibited-attr).
    filter_horizontal = ()


# django-axes registers its records of sign-ins the same way (axes comes before ladder
# in INSTALLED_APPS). An admin lifts a pause by deleting the account's access attempts.
admin.site.unregister([AccessAttempt, AccessLog, AccessFailureLog])


@admin.register(AccessAttempt)
class BoundedAccessAttemptAdmin(BoundedSearch, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class BoundedAccessLogAdmin(BoundedSearch, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class BoundedAccessFailureLogAdmin(BoundedSearch, AccessFailureLogAdmin):
    pass


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(BoundedSearch, admin.ModelAdmin):
    """The background workers and their last heartbeat; written by the workers only."""

    list_display = ["worker_id", "host", "pid", "started_at", "beat_at"]
    search_fields = ["worker_id", "host"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
