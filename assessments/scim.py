"""The company's directory, kept in step over SCIM 2.0: what a person is as a SCIM User.

The protocol's data, its validation, PATCH and PUT are scim2-models'; filters are
scim2-filter-parser's. This module says how a SCIM User maps onto a Ladder person,
and writes the changes as the rest of Ladder does: a new manager through
assessments.roles (on the record, refused where it would hand the token's maker a
review), a deactivation ending the person's sessions.

What is advertised (ATTRIBUTES) is what Ladder keeps: the user name, the name, the
display name, e-mails, active, and from the enterprise extension the employee number,
department and manager. Anything else a provider sends is accepted and kept with the
resource, not served back. The provider reads back what it last wrote; where Ladder
changed a field since (an org chart file, the admin), it reads Ladder's value.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import email_validator
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from pydantic import ValidationError as PydanticError
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from scim2_filter_parser.transpilers.django_q_object import Transpiler
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    ForbiddenException,
    InvalidFilterException,
    InvalidValueException,
    Manager,
    Meta,
    Name,
    Patch,
    PatchOp,
    ResourceType,
    Schema,
    ScimPolicy,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    UniquenessException,
    User,
)

from assessments import roles
from assessments.models import DirectoryEntry, ScimToken
from assessments.permissions import can_manage_people, department_refusal, whole_number
from ladder.models import User as Person
from ladder.models import end_sessions

# A company's directory may use internal domains ("corp.local", "acme.test") that the
# e-mail syntax library scim2-models relies on refuses as special-use; the directory
# is the authority on its own addresses. Django's own e-mail checks are unaffected.
email_validator.SPECIAL_USE_DOMAIN_NAMES[:] = [
    name
    for name in email_validator.SPECIAL_USE_DOMAIN_NAMES
    if name not in ("local", "test", "internal", "localhost")
]

UE = User[EnterpriseUser]
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
# What Ladder keeps of a User and serves back: attribute → its sub-attributes kept.
ATTRIBUTES = {
    "userName": None,
    "name": {"givenName", "familyName", "formatted"},
    "displayName": None,
    "active": None,
    "emails": {"value", "type", "primary"},
}
EXTENSION_ATTRIBUTES = {"employeeNumber": None, "department": None, "manager": {"value", "$ref"}}
COMMON = {"schemas", "id", "externalId", "meta"}
# Providers send more than Ladder keeps (titles, addresses, their own extensions).
TOLERANT = ScimPolicy(unknown=ScimPolicy.Unknown.ignore)
# Filters name these; anything else is refused rather than quietly left out.
FILTERABLE = {
    ("userName", None, None): "username",
    ("externalId", None, None): "directory__external_id",
    ("active", None, None): "is_active",
    ("emails", "value", None): "email",
    ("emails", None, None): "email",
    ("name", "givenName", None): "first_name",
    ("name", "familyName", None): "last_name",
    ("employeeNumber", None, ENTERPRISE): "employee_id",
    ("department", None, ENTERPRISE): "department",
}
# Past this, no page holds anyone (and SQLite can't count that far).
START_MOST = 10**9
PAGE_DEFAULT = 100
PAGE_MOST = 200
FILTER_MOST = 1_000
# The person's fields a SCIM write sets; a change to one since was made in Ladder.
FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "employee_id",
    "department",
    "manager_id",
)
TOKEN_BYTES = 32


# ---- tokens


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def generate() -> str:
    return f"ladder_scim_{secrets.token_urlsafe(TOKEN_BYTES)}"


def new_token(name: str, *, by: Person) -> tuple[ScimToken, str]:
    """A token for an identity provider: the row, and the token, shown once."""
    token = generate()
    row = ScimToken.objects.create(name=name[:100], digest=digest(token), created_by=by)
    return row, token


def token_for(header: str) -> ScimToken | None:
    """The working token an Authorization header carries, or None."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    row = (
        ScimToken.objects.select_related("created_by")
        .filter(digest=digest(token.strip()), revoked_at__isnull=True)
        .first()
    )
    # A token works while its maker may still change people: taking that right away
    # (or deactivating them) stops the tokens they made.
    if row is None or not can_manage_people(row.created_by):
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        ScimToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


# ---- what the server offers


def _trimmed(schema: Schema, keep: dict[str, set[str] | None]) -> Schema:
    attributes = []
    for attribute in schema.attributes:
        if attribute.name not in keep:
            continue
        subs = keep[attribute.name]
        if subs is not None and attribute.sub_attributes:
            attribute = attribute.model_copy(
                update={"sub_attributes": [s for s in attribute.sub_attributes if s.name in subs]}
            )
        attributes.append(attribute)
    return schema.model_copy(update={"attributes": attributes})


def schemas(base: str) -> list[Schema]:
    found = [
        _trimmed(User.to_schema(), ATTRIBUTES),
        _trimmed(EnterpriseUser.to_schema(), EXTENSION_ATTRIBUTES),
    ]
    for schema in found:
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
    return found


def resource_types(base: str) -> list[ResourceType]:
    user = ResourceType.from_resource(UE)
    user.meta = Meta(resource_type="ResourceType", location=f"{base}/ResourceTypes/{user.id}")
    return [user]


def service_provider_config(base: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=PAGE_MOST),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A token made in Ladder's admin under SCIM tokens.",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base}/ServiceProviderConfig"),
    )


# ---- a person as a SCIM User


def snapshot(person: Person) -> dict:
    return {name: getattr(person, name) for name in FIELDS}


def _location(base: str, pk: int | str) -> str:
    return f"{base}/Users/{pk}"


def resource_of(person: Person, base: str) -> UE:
    """The person as the provider last wrote them, with Ladder's changes since."""
    entry = getattr(person, "directory", None) if _has_entry(person) else None
    now = snapshot(person)
    if entry is not None and entry.resource:
        user = UE.model_validate(entry.resource, scim_policy=TOLERANT)
        changed = [name for name in FIELDS if entry.synced.get(name) != now[name]]
    else:
        user = UE(user_name=person.username)
        changed = [name for name in FIELDS if name != "username"]
    for name in changed:
        _overlay(user, name, now[name], base)
    user.id = str(person.pk)
    user.external_id = (entry.external_id or None) if entry else None
    user.meta = Meta(
        resource_type="User",
        created=entry.created_at if entry else person.date_joined,
        last_modified=entry.modified_at if entry else person.date_joined,
        location=_location(base, person.pk),
    )
    return user


def _has_entry(person: Person) -> bool:
    try:
        person.directory  # noqa: B018 (loads the one-to-one, or raises)
    except DirectoryEntry.DoesNotExist:
        return False
    return True


def _overlay(user: UE, name: str, value, base: str) -> None:
    """Put Ladder's value of one field into the resource."""
    if name == "username":
        user.user_name = value
    elif name == "email":
        emails = list(user.emails or [])
        main = next((e for e in emails if e.primary), emails[0] if emails else None)
        at = emails.index(main) if main is not None else 0
        if main is not None:
            emails.remove(main)
        if value:
            kind = main.type if main is not None else "work"
            # An address the e-mail syntax refuses (Ladder's admin took it) is left
            # out, rather than failing the whole answer.
            with contextlib.suppress(PydanticError):
                emails.insert(at, Email(value=value, type=kind, primary=True))
        user.emails = emails or None
    elif name in ("first_name", "last_name"):
        user.name = user.name or Name()
        setattr(user.name, "given_name" if name == "first_name" else "family_name", value or None)
        if not (user.name.given_name or user.name.family_name or user.name.formatted):
            user.name = None
    elif name == "is_active":
        user.active = value
    else:
        extension = user[EnterpriseUser] or EnterpriseUser()
        if name == "employee_id":
            extension.employee_number = value or None
        elif name == "department":
            extension.department = value or None
        else:
            extension.manager = (
                Manager(value=str(value), ref=_location(base, value)) if value else None
            )
        user[EnterpriseUser] = extension


def dump(user: UE, context: Context, parameters=None) -> dict:
    """The resource as served: only what Ladder advertises."""
    data = user.model_dump(scim_ctx=context, response_parameters=parameters)
    served = {}
    for key, value in data.items():
        if key in COMMON:
            served[key] = value
        elif key in ATTRIBUTES:
            served[key] = _kept(value, ATTRIBUTES[key])
        elif key == ENTERPRISE:
            extension = {
                k: _kept(v, EXTENSION_ATTRIBUTES[k])
                for k, v in value.items()
                if k in EXTENSION_ATTRIBUTES
            }
            if extension:
                served[key] = extension
    if ENTERPRISE not in served and "schemas" in served:
        served["schemas"] = [s for s in served["schemas"] if s != ENTERPRISE]
    return served


def _kept(value, subs: set[str] | None):
    if subs is None:
        return value
    if isinstance(value, list):
        return [{k: v for k, v in item.items() if k in subs} for item in value]
    return {k: v for k, v in value.items() if k in subs}


# ---- reading


def served() -> QuerySet[Person]:
    """The people the directory sees: all but those it deprovisioned."""
    return (
        Person.objects.exclude(directory__deprovisioned_at__isnull=False)
        .select_related("directory")
        .order_by("pk")
    )


def find(pk: str) -> Person | None:
    number = whole_number(pk)
    return served().filter(pk=number).first() if number else None


@dataclass
class Page:
    people: list[Person]
    total: int
    start: int


def search(parameters: dict[str, str]) -> tuple[Page, SearchRequest]:
    """A page of people for a list request: its filter, startIndex and count."""
    text = parameters.get("filter", "")
    if len(text) > FILTER_MOST:
        raise InvalidFilterException(detail=f"Filters are at most {FILTER_MOST} characters.")
    request = SearchRequest[UE].model_validate(
        {k: v for k, v in parameters.items() if k in _SEARCH_KEYS},
        scim_ctx=Context.RESOURCE_QUERY_REQUEST,
    )
    people = served()
    if request.filter is not None:
        people = people.filter(_query(text))
    count = PAGE_DEFAULT if request.count is None else min(request.count, PAGE_MOST)
    start = min(request.start_index or 1, START_MOST)
    try:
        total = people.count()
        chosen = list(people[start - 1 : start - 1 + count]) if count else []
    except (ValueError, ValidationError, DatabaseError) as error:
        # A value the column can't hold ("active eq \"yes\""): the filter is wrong.
        raise InvalidFilterException(detail="A value in this filter doesn't fit.") from error
    return Page(chosen, total, start), request


class _Strict(Transpiler):
    """scim2-filter-parser's transpiler, refusing what it would quietly leave out."""

    def visit_AttrPath(self, node):
        found = super().visit_AttrPath(node)
        if found is None:
            raise ValueError(f"{node.attr_name} is not filtered on")
        return found


def _query(text: str):
    try:
        query = _Strict(FILTERABLE).transpile(SCIMParser().parse(SCIMLexer().tokenize(text)))
    except Exception as error:  # the parser raises several kinds on nonsense
        raise InvalidFilterException(
            detail="Ladder filters on userName, externalId, active, emails, name.givenName, "
            "name.familyName, employeeNumber and department (enterprise extension)."
        ) from error
    if query is None:
        raise InvalidFilterException(detail="This filter could not be read.")
    return query


_SEARCH_KEYS = {"filter", "startIndex", "count", "attributes", "excludedAttributes"}


def list_response(page: Page, parameters, base: str) -> dict:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": page.total,
        "startIndex": page.start,
        "itemsPerPage": len(page.people),
        "Resources": [
            dump(resource_of(person, base), Context.SEARCH_RESPONSE, parameters)
            for person in page.people
        ],
    }


# ---- writing


@dataclass
class Fields:
    username: str
    email: str
    first_name: str
    last_name: str
    active: bool | None
    employee_id: str
    department: str
    manager: str | None


def fields_of(user: UE) -> Fields:
    extension = user[EnterpriseUser]
    emails = user.emails or []
    main = next((e for e in emails if e.primary), emails[0] if emails else None)
    fields = Fields(
        username=(user.user_name or "").strip(),
        email=(main.value or "").strip() if main else "",
        first_name=(user.name.given_name or "") if user.name else "",
        last_name=(user.name.family_name or "") if user.name else "",
        active=user.active,
        employee_id=((extension.employee_number or "") if extension else "").strip(),
        department=((extension.department or "") if extension else "").strip(),
        manager=(extension.manager.value if extension and extension.manager else None),
    )
    for label, value, most in (
        ("userName", fields.username, 150),
        ("emails.value", fields.email, 254),
        ("name.givenName", fields.first_name, 150),
        ("name.familyName", fields.last_name, 150),
        ("employeeNumber", fields.employee_id, 64),
        ("department", fields.department, 120),
    ):
        if len(value) > most:
            raise InvalidValueException(detail=f"{label} is longer than Ladder keeps ({most}).")
    if not fields.username:
        raise InvalidValueException(detail="userName is required.")
    return fields


def _with_manager_ref(value, base: str):
    """A manager given by id alone, as Entra ID and Okta send it, with the $ref SCIM wants."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = {"value": str(value)}
    if isinstance(value, dict) and value.get("value") and not value.get("$ref"):
        value = {**value, "$ref": _location(base, str(value["value"])[:40])}
    return value


def _tolerated(payload: dict, base: str) -> dict:
    extension = payload.get(ENTERPRISE)
    if isinstance(extension, dict) and "manager" in extension:
        payload = {
            **payload,
            ENTERPRISE: {**extension, "manager": _with_manager_ref(extension["manager"], base)},
        }
    operations = payload.get("Operations")
    if isinstance(operations, list):
        payload = {
            **payload,
            "Operations": [
                {**op, "value": _with_manager_ref(op["value"], base)}
                if isinstance(op, dict)
                and str(op.get("path", "")).endswith(":manager")
                and "value" in op
                else op
                for op in operations
            ],
        }
    return payload


def create(payload: dict, *, token: ScimToken, base: str) -> Person:
    """A new person (or one the org chart loaded, matched by e-mail), as the provider sends."""
    user = UE.model_validate(
        _tolerated(payload, base),
        scim_ctx=Context.RESOURCE_CREATION_REQUEST,
        scim_policy=TOLERANT,
    )
    fields = fields_of(user)
    with transaction.atomic():
        person = _existing(fields)
        if person is None:
            person = Person(username=fields.username)
            person.set_unusable_password()
        _write(person, user, fields, token=token, base=base, creating=True)
    return person


def _existing(fields: Fields) -> Person | None:
    """Whom a new SCIM User is: someone deprovisioned coming back, someone loaded
    from the org chart and not yet linked, or nobody yet."""
    taken = Person.objects.filter(username__iexact=fields.username).select_related("directory")
    for person in taken:
        if _has_entry(person) and person.directory.deprovisioned_at is not None:
            return person
        raise UniquenessException(detail=f"Someone in Ladder has the userName {fields.username}.")
    if fields.email:
        loaded = (
            Person.objects.filter(
                email__iexact=fields.email, directory__isnull=True, is_superuser=False
            )
            .order_by("pk")
            .first()
        )
        if loaded is not None:
            return loaded
    return None


def replace(person: Person, payload: dict, *, token: ScimToken, base: str) -> None:
    user = UE.model_validate(
        _tolerated(payload, base),
        scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
        scim_policy=TOLERANT,
    )
    user.replace(resource_of(person, base))
    with transaction.atomic():
        _write(person, user, fields_of(user), token=token, base=base)


def patch(person: Person, payload: dict, *, token: ScimToken, base: str) -> None:
    operations = PatchOp[UE].model_validate(
        _tolerated(payload, base), scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=TOLERANT
    )
    user = resource_of(person, base)
    operations.patch(user, scim_policy=TOLERANT)
    with transaction.atomic():
        _write(person, user, fields_of(user), token=token, base=base)


def deprovision(person: Person, *, token: ScimToken) -> None:
    """Deactivate, sign out everywhere, and stop serving them; their assessments stay."""
    _guard_admin(person, active=False)
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(is_active=False)
        person.is_active = False
        entry, _ = DirectoryEntry.objects.get_or_create(person=person)
        entry.deprovisioned_at = timezone.now()
        entry.synced = snapshot(person)
        entry.save(update_fields=["deprovisioned_at", "synced"])
        end_sessions([person.pk])


def _guard_admin(person: Person, *, active: bool | None, fields: Fields | None = None) -> None:
    """The break-glass administrators sign in with a password when the provider is down:
    the directory neither deactivates them nor changes how they sign in."""
    if not person.is_superuser:
        return
    if active is False:
        raise ForbiddenException(
            detail="A Ladder administrator is deactivated in Ladder's admin, not by the directory."
        )
    if fields is not None and (
        fields.username != person.username or fields.email.lower() != person.email.lower()
    ):
        raise ForbiddenException(
            detail="A Ladder administrator's user name and e-mail change in Ladder's admin."
        )


def _write(
    person: Person, user: UE, fields: Fields, *, token: ScimToken, base: str, creating=False
) -> None:
    by = token.created_by
    _guard_admin(person, active=fields.active, fields=fields if person.pk else None)
    refusal = department_refusal(by, person, fields.department)
    if refusal:
        raise ForbiddenException(detail=refusal)
    others = Person.objects.exclude(pk=person.pk) if person.pk else Person.objects.all()
    if others.filter(username__iexact=fields.username).exists():
        raise UniquenessException(detail=f"Someone in Ladder has the userName {fields.username}.")
    if fields.employee_id and others.filter(employee_id=fields.employee_id).exists():
        raise UniquenessException(
            detail=f"Someone in Ladder has the employee number {fields.employee_id}."
        )
    manager = _manager(person, fields.manager)
    was_active = person.is_active if person.pk else True
    person.username = fields.username
    person.email = fields.email
    person.first_name = fields.first_name
    person.last_name = fields.last_name
    person.employee_id = fields.employee_id
    person.department = fields.department
    if fields.active is not None:
        person.is_active = fields.active
    elif creating and person.pk is None:
        person.is_active = True
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        # Another request took the user name or employee number meanwhile.
        raise UniquenessException(detail="Someone in Ladder has this userName or id.") from error
    if manager != person.manager_id:
        try:
            roles.set_manager(
                person,
                by=by,
                to=Person.objects.get(pk=manager) if manager else None,
            )
        except ValidationError as error:
            raise ForbiddenException(detail=" ".join(error.messages)) from error
    if was_active and not person.is_active:
        end_sessions([person.pk])
    entry, _ = DirectoryEntry.objects.get_or_create(person=person)
    user.id = None
    user.meta = None
    entry.external_id = (user.external_id or "")[:255]
    entry.resource = user.model_dump(scim_ctx=Context.DEFAULT, mode="json", by_alias=True)
    entry.synced = snapshot(person)
    entry.modified_at = timezone.now()
    entry.deprovisioned_at = None
    entry.save()
    person.directory = entry


def _manager(person: Person, value: str | None) -> int | None:
    """The manager's id from the extension's manager.value, checked against the org chart."""
    if not value:
        return None
    pk = whole_number(value.strip())
    manager = Person.objects.filter(pk=pk).only("pk", "manager_id").first() if pk else None
    if manager is None:
        raise InvalidValueException(detail=f"No person in Ladder has the id {value[:40]}.")
    if person.pk is not None:
        seen = {person.pk}
        boss = manager
        while boss is not None:
            if boss.pk in seen:
                raise InvalidValueException(detail="That manager would make a reporting loop.")
            seen.add(boss.pk)
            boss = Person.objects.filter(pk=boss.manager_id).only("pk", "manager_id").first()
    return manager.pk
