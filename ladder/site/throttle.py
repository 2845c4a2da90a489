"""Sign-in throttling: django-axes, counting failures three ways, each against its own limit.

Axes counts failed sign-ins in its own tables (shared by every server process): one row
per account, address and browser, and refuses a sign-in while the failures it counts
reach AXES_FAILURE_LIMIT. AXES_LOCKOUT_PARAMETERS says which rows it sums: here three
sums, each weighed against its own limit:

- an account from one address (AXES_FAILURE_LIMIT), so that someone who knows a
  username can no longer pause its owner's sign-in from another address;
- an address, over every account (LADDER_ADDRESS_FAILURE_LIMIT, higher), so that a
  script trying many accounts from one address is stopped, while a colleague's typos
  never pause everybody behind the same office address;
- an account, over every address (LADDER_ACCOUNT_FAILURE_CEILING, higher still), so
  that guessing one password from many addresses is stopped too.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Which limit a refused sign-in reached, for the page that says so. The first reached
# wins, so the page names the widest pause that holds.
ACCOUNT_EVERYWHERE = "account_everywhere"
ADDRESS = "address"
ACCOUNT_FROM_ADDRESS = "account_from_address"


def total_failures(attempts: QuerySet) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failures that count, on the scale of AXES_FAILURE_LIMIT.

        Each sum is scaled by the ratio of its limit to AXES_FAILURE_LIMIT: reaching any
        of the three limits counts as reaching Axes's one. The request remembers which
        limit was reached, for the page that says so.
        """
        # One sum per entry of AXES_LOCKOUT_PARAMETERS, in its order.
        from_address, address, account = (
            total_failures(attempts) for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        weighed = {
            ACCOUNT_EVERYWHERE: account * limit // settings.LADDER_ACCOUNT_FAILURE_CEILING,
            ADDRESS: address * limit // settings.LADDER_ADDRESS_FAILURE_LIMIT,
            ACCOUNT_FROM_ADDRESS: from_address,
        }
        reached = [which for which, failures in weighed.items() if failures >= limit]
        if reached:
            request.ladder_paused = reached[0]
        return max(weighed.values())


def client_address(request: HttpRequest) -> str:
    """The address a sign-in came from, for counting failures.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it saw to
    X-Forwarded-For; the client's is the one the outermost trusted proxy added, counted
    from the right. Addresses further left are the client's own claims and ignored.
    """
    direct = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    claimed = hops[-count] if count and len(hops) >= count else direct
    try:
        return counted_as(ipaddress.ip_address(claimed))
    except ValueError:
        return direct


def counted_as(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The address failures are counted against: an IPv6 address's whole /64.

    One machine commonly holds a whole /64 of IPv6 addresses (privacy addresses change
    daily; a host can pick any): counted one by one, a single person could spread
    failures over thousands of addresses, past the per-address limits.
    """
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        return str(mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def refused(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The page for a sign-in refused while a limit holds: which one, for how long; 429."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    response = render(
        request,
        "registration/sign_in_paused.html",
        {
            "paused": getattr(request, "ladder_paused", ACCOUNT_FROM_ADDRESS),
            "minutes": minutes,
            "admin": request.path.startswith("/admin/"),
        },
        status=429,
        using="jinja2",
    )
    response["Retry-After"] = str(minutes * 60)
    return response
