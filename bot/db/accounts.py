"""Staff accounts of the console: names, argon2 password hashes and a role, in the store.

Every replica reads the same table, so an account added or removed on one host holds on all of
them at once. Removing an account, changing its role or its password ends its console sessions in
the same transaction (a password change keeps only the session that made it), and a removed
account's id is never given to a new one, so an old cookie never comes back to life. The first administrator comes from settings (``NAVIGATOR_CONSOLE_ADMIN`` and
``NAVIGATOR_CONSOLE_ADMIN_PASSWORD``) and is created only while no account exists; after that
accounts are managed in the console.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.db.console_sessions import end_sessions
from bot.db.engine import Database
from bot.db.schema import accounts
from bot.passwords import password_problem

# admin: everything, including making a version live, rolling back, deleting documents and managing
# accounts; staff: uploads, candidate builds, trying and teaching questions, feedback.
ROLES = ("admin", "staff")
_hasher = PasswordHasher()
# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A request about accounts that cannot be done (says why, for the console)."""


class WrongPassword(AccountError):
    """The current password given with a change is wrong (counted as a failed sign-in)."""


@dataclass(frozen=True)
class Account:
    id: int
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
        problem = password_problem(password) if check_strength else None
        if problem:
            raise AccountError(problem)
        now = time.time()
        try:
            with self.db.write() as conn:
                account_id = conn.execute(
                    accounts.insert().values(
                        name=name, password_hash=_hasher.hash(password), role=role, created=now
                    )
                ).inserted_primary_key[0]
        except IntegrityError as exc:
            raise AccountError(f"an account named {name} exists") from exc
        return Account(int(account_id), name, role, now)

    def remove(self, name: str) -> int:
        """Remove the account and end its sessions; returns how many sessions ended."""
        with self.db.write() as conn:
            target = conn.execute(
                select(accounts.c.id, accounts.c.role).where(accounts.c.name == name)
            ).first()
            if target is None:
                raise AccountError(f"no account named {name}")
            if target.role == "admin":
                _keep_an_admin(conn, "the last administrator cannot be removed")
            ended = end_sessions(conn, target.id)
            conn.execute(delete(accounts).where(accounts.c.id == target.id))
        return ended

    def set_role(self, name: str, role: str) -> int:
        """Give the account another role and end its sessions (its pages showed what the old role
        could do); returns how many sessions ended."""
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        with self.db.write() as conn:
            target = conn.execute(
                select(accounts.c.id, accounts.c.role).where(accounts.c.name == name)
            ).first()
            if target is None:
                raise AccountError(f"no account named {name}")
            if target.role == role:
                return 0
            if target.role == "admin":
                _keep_an_admin(conn, "the last administrator keeps the administrator role")
            conn.execute(update(accounts).where(accounts.c.id == target.id).values(role=role))
            return end_sessions(conn, target.id)

    def change_password(self, name: str, current: str, new: str, keep_token: str | None = None) -> int:
        """Set a new password when ``current`` is right, ending every other session of the account
        (all but the one of ``keep_token``, the session that asked); returns how many ended."""
        problem = password_problem(new)
        if problem:
            raise AccountError(problem)
        account = self.verify(name, current)
        if account is None:
            raise WrongPassword("the current password is wrong")
        with self.db.write() as conn:
            conn.execute(
                update(accounts).where(accounts.c.id == account.id).values(password_hash=_hasher.hash(new))
            )
            return end_sessions(conn, account.id, keep=keep_token)

    def get(self, name: str) -> Account | None:
        with self.db.read() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name, ~accounts.c.disabled)).first()
        return Account(row.id, row.name, row.role, row.created) if row else None

    def all(self) -> list[Account]:
        with self.db.read() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.name)).all()
        return [Account(r.id, r.name, r.role, r.created) for r in rows if not r.disabled]

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
        return Account(row.id, row.name, row.role, row.created)


def _keep_an_admin(conn: Connection, refusal: str) -> None:
    admins = conn.scalar(select(func.count()).where(accounts.c.role == "admin", ~accounts.c.disabled))
    if admins <= 1:
        raise AccountError(refusal)
