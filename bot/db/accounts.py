"""Staff accounts of the console: names, argon2 password hashes and a role, in the store.

Every replica reads the same table, so an account added or removed on one host holds on all of
them at once. The first administrator comes from settings (``NAVIGATOR_CONSOLE_ADMIN`` and
``NAVIGATOR_CONSOLE_ADMIN_PASSWORD``) and is created only while no account exists; after that
accounts are managed in the console.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.schema import accounts

ROLES = ("admin", "staff")
MIN_PASSWORD_CHARS = 10
_hasher = PasswordHasher()
# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A request about accounts that cannot be done (says why, for the console)."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created: float

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Accounts:
    def __init__(self, database: Database) -> None:
        self.db = database

    def ensure_first_admin(self, name: str | None, password: str | None) -> bool:
        """Create the administrator named in settings when the table is empty; True if created."""
        if not name or not password:
            return False
        with self.db.read() as conn:
            if conn.scalar(select(func.count()).select_from(accounts)):
                return False
        try:
            self.add(name, password, "admin", check_strength=False)
        except (AccountError, IntegrityError):
            return False  # another replica created it first
        return True

    def exist(self) -> bool:
        with self.db.read() as conn:
            return bool(conn.scalar(select(func.count()).select_from(accounts)))

    def add(self, name: str, password: str, role: str = "staff", check_strength: bool = True) -> Account:
        name = name.strip()
        if not name or len(name) > 100 or any(c.isspace() or not c.isprintable() for c in name):
            raise AccountError("a name is 1 to 100 characters without spaces")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if check_strength and len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"a password has at least {MIN_PASSWORD_CHARS} characters")
        now = time.time()
        try:
            with self.db.write() as conn:
                conn.execute(
                    accounts.insert().values(
                        name=name, password_hash=_hasher.hash(password), role=role, created=now
                    )
                )
        except IntegrityError as exc:
            raise AccountError(f"an account named {name} exists") from exc
        return Account(name, role, now)

    def remove(self, name: str) -> None:
        with self.db.write() as conn:
            target = conn.execute(select(accounts.c.role).where(accounts.c.name == name)).first()
            if target is None:
                raise AccountError(f"no account named {name}")
            if target.role == "admin":
                admins = conn.scalar(
                    select(func.count()).where(accounts.c.role == "admin", ~accounts.c.disabled)
                )
                if admins <= 1:
                    raise AccountError("the last administrator cannot be removed")
            conn.execute(delete(accounts).where(accounts.c.name == name))

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"a password has at least {MIN_PASSWORD_CHARS} characters")
        with self.db.write() as conn:
            changed = conn.execute(
                update(accounts).where(accounts.c.name == name).values(password_hash=_hasher.hash(password))
            ).rowcount
        if not changed:
            raise AccountError(f"no account named {name}")

    def get(self, name: str) -> Account | None:
        with self.db.read() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name, ~accounts.c.disabled)).first()
        return Account(row.name, row.role, row.created) if row else None

    def all(self) -> list[Account]:
        with self.db.read() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.name)).all()
        return [Account(r.name, r.role, r.created) for r in rows if not r.disabled]

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the password is right; None otherwise (in about the same time)."""
        with self.db.read() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name, ~accounts.c.disabled)).first()
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(row.password_hash):
            with self.db.write() as conn:
                conn.execute(
                    update(accounts)
                    .where(accounts.c.name == name)
                    .values(password_hash=_hasher.hash(password))
                )
        return Account(row.name, row.role, row.created)
