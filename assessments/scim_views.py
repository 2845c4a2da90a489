"""SCIM 2.0 over HTTP, for the company's identity provider: /scim/v2/…

Users (create, read, list with filters and paging, replace, PATCH, delete as
deprovisioning) and the discovery documents. Every request carries a bearer token
made in the admin; answers are SCIM JSON, errors included. No cookies, no CSRF:
the token is the credential. assessments.scim does the work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidSyntaxException,
    NotFoundException,
    NotImplementedException,
    ResponseParameters,
    SCIMException,
    UnauthorizedException,
)

from assessments import scim

CONTENT_TYPE = "application/scim+json"
# A User is a few kilobytes; a provider's PATCH of many operations stays well under this.
BODY_MOST = 256 * 1024


def _json(data: dict, status: int = 200, **headers) -> JsonResponse:
    response = JsonResponse(data, status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"
    return response


def _error(error: Error) -> JsonResponse:
    status = int(error.status or 400)
    headers = {"WWW_Authenticate": 'Bearer realm="Ladder SCIM"'} if status == 401 else {}
    return _json(error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), status, **headers)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2").rstrip("/")


def endpoint(methods: tuple[str, ...]) -> Callable:
    """A SCIM view: its methods (405 otherwise), the bearer token, errors as SCIM errors."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.method not in methods:
                response = _error(Error(status=405, detail="Method not allowed here."))
                response["Allow"] = ", ".join(methods)
                return response
            token = scim.token_for(request.headers.get("Authorization", ""))
            if token is None:
                return _error(UnauthorizedException(detail="Send a working SCIM token.").to_error())
            request.scim_token = token
            try:
                return view(request, *args, **kwargs)
            except SCIMException as error:
                return _error(error.to_error())
            except ValidationError as error:
                return _error(Error.from_validation_errors(error)[0])

        return wrapper

    return decorate


def _body(request: HttpRequest) -> dict:
    if len(request.body) > BODY_MOST:
        raise InvalidSyntaxException(detail=f"Bodies are at most {BODY_MOST // 1024} KB here.")
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidSyntaxException(detail="The body is not JSON.") from error
    if not isinstance(data, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object.")
    return data


def _parameters(request: HttpRequest):
    wanted = {k: v for k, v in request.GET.items() if k in ("attributes", "excludedAttributes")}
    return ResponseParameters[scim.UE].model_validate(wanted) if wanted else None


def _user(request: HttpRequest, status: int, context: Context, person) -> JsonResponse:
    base = _base(request)
    data = scim.dump(scim.resource_of(person, base), context, _parameters(request))
    return _json(data, status, Location=data.get("meta", {}).get("location", ""))


@endpoint(("GET", "POST"))
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        person = scim.create(_body(request), token=request.scim_token, base=_base(request))
        return _user(request, 201, Context.RESOURCE_CREATION_RESPONSE, person)
    page, search = scim.search(request.GET.dict())
    return _json(scim.list_response(page, search, _base(request)))


@endpoint(("GET", "PUT", "PATCH", "DELETE"))
def user(request: HttpRequest, pk: str) -> HttpResponse:
    person = scim.find(pk)
    if person is None:
        raise NotFoundException(detail=f"No user {pk[:40]} here.")
    token, base = request.scim_token, _base(request)
    match request.method:
        case "PUT":
            scim.replace(person, _body(request), token=token, base=base)
            return _user(request, 200, Context.RESOURCE_REPLACEMENT_RESPONSE, person)
        case "PATCH":
            scim.patch(person, _body(request), token=token, base=base)
            return _user(request, 200, Context.RESOURCE_PATCH_RESPONSE, person)
        case "DELETE":
            scim.deprovision(person, token=token)
            return HttpResponse(status=204)
    return _user(request, 200, Context.RESOURCE_QUERY_RESPONSE, person)


def _listed(objects: list) -> dict:
    resources = [o.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for o in objects]
    return {
        "schemas": [scim.LIST_RESPONSE],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _one(objects: list, key: str, what: str):
    for found in objects:
        if found.id == key:
            return _json(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"No {what} {key[:100]} here.")


@endpoint(("GET",))
def service_provider_config(request: HttpRequest) -> HttpResponse:
    config = scim.service_provider_config(_base(request))
    return _json(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@endpoint(("GET",))
def resource_types(request: HttpRequest, key: str | None = None) -> HttpResponse:
    found = scim.resource_types(_base(request))
    return _one(found, key, "resource type") if key else _json(_listed(found))


@endpoint(("GET",))
def schemas(request: HttpRequest, key: str | None = None) -> HttpResponse:
    found = scim.schemas(_base(request))
    return _one(found, key, "schema") if key else _json(_listed(found))


@endpoint(("GET", "POST", "PUT", "PATCH", "DELETE"))
def elsewhere(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /scim/v2: searching by POST isn't offered; the rest isn't here."""
    if request.method == "POST" and rest.rstrip("/") in (".search", "Users/.search"):
        raise NotImplementedException(detail="Search with GET /Users?filter=… instead.")
    raise NotFoundException(detail="Nothing here: Ladder serves Users.")
