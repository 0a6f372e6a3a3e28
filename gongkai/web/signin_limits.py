"""Sign-in throttled per account and per client address (issue 14).

Failed sign-ins are counted over a moving window where the portal counts its filings
(``GONGKAI_RATE_LIMIT_STORAGE``: this process's memory, or Redis shared by every worker): after
:data:`FAILURES_PER_ACCOUNT` failures for one login, or :data:`FAILURES_PER_ADDRESS` from one address,
within :data:`WINDOW_MINUTES`, that login or address is refused for :data:`LOCK_MINUTES` (even with the
right password), then may try again. A lock this short costs a guesser nearly everything and a clerk
little: someone who types a wrong password on purpose cannot keep a clerk out for long. Signing in
clears the account's count. While the storage cannot be reached nothing is locked (as the portal).
"""

from __future__ import annotations

import logging
import math
import time

from fastapi import Request
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.errors import StorageError

from gongkai.web.public import NAMESPACE, _client, _limits

FAILURES_PER_ACCOUNT = 5
FAILURES_PER_ADDRESS = 20
WINDOW_MINUTES = 15
LOCK_MINUTES = 5

_FAILURES = {
    "account": RateLimitItemPerMinute(FAILURES_PER_ACCOUNT, WINDOW_MINUTES, namespace=NAMESPACE),
    "address": RateLimitItemPerMinute(FAILURES_PER_ADDRESS, WINDOW_MINUTES, namespace=NAMESPACE),
}
_LOCK: RateLimitItem = RateLimitItemPerMinute(1, LOCK_MINUTES, namespace=NAMESPACE)
log = logging.getLogger(__name__)


def _keys(request: Request, login: str) -> dict[str, str]:
    return {"account": login.strip(), "address": _client(request)}


def locked_minutes(request: Request, login: str) -> int | None:
    """The minutes (rounded up) until this login, or this client's address, may try again; None when
    neither is locked."""
    limiter = _limits(request).limiter
    waits = []
    try:
        for kind, key in _keys(request, login).items():
            if not limiter.test(_LOCK, "signin-lock", kind, key):
                reset = limiter.get_window_stats(_LOCK, "signin-lock", kind, key).reset_time
                waits.append(max(1, math.ceil((reset - time.time()) / 60)))
    except StorageError as exc:
        log.warning("sign-in limits not applied: their storage cannot be reached (%r)", exc.storage_error)
        return None
    return max(waits) if waits else None


def count_failure(request: Request, login: str) -> None:
    """Count a failed sign-in against the login and the address; lock whichever reached its limit."""
    limiter = _limits(request).limiter
    try:
        for kind, key in _keys(request, login).items():
            item = _FAILURES[kind]
            limiter.hit(item, "signin-failures", kind, key)
            if not limiter.test(item, "signin-failures", kind, key):  # the limit is reached
                limiter.clear(item, "signin-failures", kind, key)
                limiter.hit(_LOCK, "signin-lock", kind, key)
    except StorageError as exc:
        log.warning("sign-in limits not applied: their storage cannot be reached (%r)", exc.storage_error)


def clear_failures(request: Request, login: str) -> None:
    """A successful sign-in: the account's failures are forgotten (not the address's)."""
    try:
        _limits(request).limiter.clear(_FAILURES["account"], "signin-failures", "account", login.strip())
    except StorageError as exc:
        log.warning("sign-in limits not applied: their storage cannot be reached (%r)", exc.storage_error)
