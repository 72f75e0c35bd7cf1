"""Sign-in throttling that a stranger cannot turn into a lockout of the real user.

Three counters of failed attempts, kept in the store (``bot.db.logins``) so they hold on every
replica, each over the last ``NAVIGATOR_LOGIN_WINDOW_MINUTES``:

- **per address** (any names): at ``NAVIGATOR_LOGIN_ADDRESS_MAX_FAILURES`` the address is blocked
  (429) for every name. A success does not reset it, so a valid account cannot be used to wash an
  address's count while it sprays guesses over other names.
- **per account at one address**: at ``NAVIGATOR_LOGIN_MAX_FAILURES`` that account is paused (429)
  from that address only. The owner, coming from anywhere else, is not.
- **per account** (any addresses): past ``NAVIGATOR_LOGIN_MAX_FAILURES`` every attempt on the account
  waits before its password is checked, 1 s doubling per further failure up to ``DELAY_CAP_SECONDS``.
  The right password still signs in, only later; the wait holds no thread.

A success resets the account's two counters (at that address, and overall), never the address's.

Why this holds against a distributed guesser: each address gets ``login_max_failures`` guesses per
account and window before it needs a new address, and ``login_address_max_failures`` guesses over
all names; past the account's first few failures every guess costs the guesser a capped wait, and
the password policy (12 characters, no common passwords) leaves nothing cheap to guess first. The
cap is what keeps the delay from becoming a lockout in turn: the owner waits seconds, not forever.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.logins import LoginAttempts
from ingest.settings import Settings

# 8 s: long enough that a guesser's attempts on one account, once past the limit, come 8 s apart
# per connection; short enough that the owner, signing in during an attack, barely notices.
DELAY_CAP_SECONDS = 8.0
DELAY_BASE_SECONDS = 1.0


@dataclass(frozen=True)
class Verdict:
    """What to do with one attempt before its password is checked."""

    blocked: str | None  # "address" or "account_at_address": answer 429 without checking
    delay: float  # seconds to wait before checking the password
    failures: int  # the count that decided


class SigninThrottle:
    def __init__(self, attempts: LoginAttempts, settings: Settings) -> None:
        self.attempts = attempts
        self.settings = settings
        self.window = settings.login_window_minutes * 60

    @staticmethod
    def keys(name: str, address: str) -> tuple[str, str, str]:
        """The counters' keys: the account, the account at this address, the address."""
        return f"name:{name}", f"pair:{address}|{name}", f"addr:{address}"

    def check(self, name: str, address: str) -> Verdict:
        account, pair, addr = self.keys(name, address)
        at_address = self.attempts.failures(addr, self.window)
        if at_address >= self.settings.login_address_max_failures:
            return Verdict("address", 0.0, at_address)
        from_here = self.attempts.failures(pair, self.window)
        if from_here >= self.settings.login_max_failures:
            return Verdict("account_at_address", 0.0, from_here)
        overall = self.attempts.failures(account, self.window)
        beyond = overall - self.settings.login_max_failures
        if beyond < 0:
            return Verdict(None, 0.0, overall)
        return Verdict(None, min(DELAY_BASE_SECONDS * 2 ** min(beyond, 16), DELAY_CAP_SECONDS), overall)

    def record(self, name: str, address: str, ok: bool) -> None:
        """Count the outcome: a failure on all three counters, a success on the account's only."""
        account, pair, addr = self.keys(name, address)
        self.attempts.record(account, ok)
        self.attempts.record(pair, ok)
        if not ok:
            self.attempts.record(addr, ok)
