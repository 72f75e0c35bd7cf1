"""The console's password policy, ASVS level 1 (V2.1): at least 12 characters, not a common
password, and nothing else. No composition rules: they make passwords harder to remember, not to
guess; length and a blocklist of what guessers try first do the work."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_PASSWORD_CHARS = 12  # ASVS 2.1.1
MAX_PASSWORD_CHARS = 1000  # ASVS 2.1.2 asks for at least 64 (128 allowed); 1000 bounds argon2's input
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"a password has at least {MIN_PASSWORD_CHARS} characters"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"a password has at most {MAX_PASSWORD_CHARS} characters"
    if password.strip().lower() in _common():
        return "this password is on the list of common passwords: choose another"
    return None
