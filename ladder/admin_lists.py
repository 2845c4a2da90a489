"""What every admin list accepts: a bounded search, and only the filters it offers.

Mixed into every ModelAdmin of the project (ladder.admin, assessments.admin), the
libraries' included, so that no list runs a search the database can't bound, nor
answers a question about a field it doesn't show.
"""

from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList, ChangeListSearchForm
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.text import smart_split

# Room for a phrase copied out of a behaviour, far short of what makes SQLite give up:
# a LIKE pattern of about 50,000 characters, or one LIKE per word and search field
# nested past a depth of 1,000. A "quoted phrase" counts as one word, as it is one LIKE.
SEARCH_MAX_CHARACTERS = 200
SEARCH_MAX_WORDS = 20
SEARCH_LIMIT_MESSAGE = (
    f"Search is limited to {SEARCH_MAX_CHARACTERS} characters and {SEARCH_MAX_WORDS} words; "
    "shorten it and search again."
)


def check_search_term(term: str) -> None:
    """Refuse a search term longer than the admin will run."""
    # The length test comes first so that a huge term is never split into words.
    if len(term) > SEARCH_MAX_CHARACTERS or len(list(smart_split(term))) > SEARCH_MAX_WORDS:
        raise ValidationError(SEARCH_LIMIT_MESSAGE, code="search_too_long")


def search_is_refused(term: str) -> bool:
    try:
        check_search_term(term)
    except ValidationError:
        return True
    return False


class BoundedSearchForm(ChangeListSearchForm):
    """The changelist's search box; Django shows its errors as messages above the list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[SEARCH_VAR].validators.append(check_search_term)


class RefusedFilter(DisallowedModelAdminLookup):
    """A lookup in a list's address that is not one of the list's own filters."""

    def __init__(self, lookups: list[str], offered: list[str], *, too_long: bool = False):
        super().__init__(f"Filtering by {', '.join(lookups)} is not offered")
        self.lookups = lookups
        self.offered = offered
        self.too_long = too_long


class BoundedSearchChangeList(ChangeList):
    search_form_class = BoundedSearchForm

    def __init__(self, request, *args, **kwargs):
        self.search_refused = search_is_refused(request.GET.get(SEARCH_VAR, ""))
        super().__init__(request, *args, **kwargs)
        if self.search_refused:
            # Every sorting and filter link would carry the refused term along again.
            self.params.pop(SEARCH_VAR, None)
            self.filter_params.pop(SEARCH_VAR, None)

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        # Django drops an invalid search and lists every row; an empty list beside the
        # message can't be mistaken for the answer to the search that was typed.
        return queryset.none() if self.search_refused else queryset

    def get_filters(self, request):
        # Django applies whatever lookup is left in the address once the list's own
        # filters have taken theirs: ?summary__startswith=A on a list that never shows
        # summaries answers, row by row, what the summary says, and ?x__regex= runs a
        # pattern the database (on SQLite, Python's re, holding the GIL) may never
        # finish. Only the filters the list offers are applied; anything else is refused
        # before a query runs.
        asked = set(self.get_filters_params())
        filters = super().get_filters(request)
        unoffered = sorted(asked & set(filters[2]))
        if unoffered:
            raise RefusedFilter(unoffered, [spec.title for spec in filters[0]])
        return filters


class BoundedSearch:
    """Searches and filters the database can run; mixed into every ModelAdmin, Group's too."""

    def get_changelist(self, request, **kwargs):
        return BoundedSearchChangeList

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except RefusedFilter as refusal:
            context = {
                **self.admin_site.each_context(request),
                "title": "This list can't be filtered that way",
                "opts": self.model._meta,
                "lookups": refusal.lookups,
                "offered": refusal.offered,
                "too_long": refusal.too_long,
                "limit": SEARCH_MAX_CHARACTERS,
                "list_url": request.path,
            }
            return render(request, "admin/refused_filter.html", context, status=400)

    def get_search_results(self, request, queryset, search_term):
        # The changelist has refused the term already; autocomplete widgets come
        # straight here, and answer with no options.
        if search_is_refused(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def lookup_allowed(self, lookup, value, request):
        # Which lookups apply at all is decided once the list's filters are known
        # (BoundedSearchChangeList.get_filters): only those it offers. Here, their
        # values: links the admin makes carry ids and short names, so a value longer
        # than a search was typed into the address, and is refused with a message.
        if len(value) > SEARCH_MAX_CHARACTERS:
            raise RefusedFilter([lookup], [], too_long=True)
        return True
