"""Sign-in throttling: django-axes, with one limit per account and a higher one per address.

Axes counts failed sign-ins in its own tables (shared by every server process) and
refuses a sign-in while the failures it counts reach AXES_FAILURE_LIMIT. It counts per
account and per address (AXES_LOCKOUT_PARAMETERS), but against one limit. Here the
address's count is weighed against its own, higher limit, so that a colleague's typos,
or one person's forgotten password, never pause everybody behind the same office
address, while a script trying many accounts from one address is still stopped.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

ACCOUNT = "account"
ADDRESS = "address"


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures that count, on the account's scale (AXES_FAILURE_LIMIT).

        The address's failures are scaled by the ratio of the two limits: reaching the
        address's limit counts as reaching the account's. The request remembers which
        of the two was reached, for the page that says so.
        """
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.LADDER_ADDRESS_FAILURE_LIMIT
        if by_account >= account_limit:
            request.ladder_paused = ACCOUNT
        elif by_address >= address_limit:
            request.ladder_paused = ADDRESS
        return max(by_account, by_address * account_limit // address_limit)


def client_address(request) -> str:
    """The address a sign-in came from, for counting failures.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it saw to
    X-Forwarded-For; the client's is the one the outermost trusted proxy added, counted
    from the right. Addresses further left are the client's own claims and ignored.
    """
    direct = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return direct
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return direct
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return direct


def refused(request, original_response=None, credentials=None):
    """The page for a sign-in refused while its account or address is paused: 429."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    response = render(
        request,
        "registration/sign_in_paused.html",
        {
            "by_address": getattr(request, "ladder_paused", ACCOUNT) == ADDRESS,
            "minutes": minutes,
            "admin": request.path.startswith("/admin/"),
        },
        status=429,
        using="jinja2",
    )
    response["Retry-After"] = str(minutes * 60)
    return response
