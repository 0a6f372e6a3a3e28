"""Accounts, roles and what each person may see.

An organ's staff (经办人 clerk, 审核人 reviewer, 审签人 approver) see their own organ; a supervisor
(政务公开办) sees every organ under its region; an administrator sees everything. Applicants'
personal data are for the staff of the organ the request was made to, and no one else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gongkai.casework.roles import ROLE_LABELS as ROLE_LABELS  # re-exported: the store's callers
from gongkai.casework.roles import Role
from gongkai.store.db import READ_ONLY
from gongkai.store.records import CODE_PATTERN, NotFound, Refused, audit, find_organ, now, subtree_ids
from gongkai.store.tables import AuditEntry, EndedSession, Organ, User

MIN_PASSWORD_CHARS = 10
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the login is unknown, so that a wrong login takes as long as a wrong
    password. Made on first use, not at import: a hash costs a tenth of a second, and every command
    that opens the store imports this module."""
    return _HASHER.hash("gongkai: no such account")


def account_problems(
    session: Session, login: str, name: str, role: str, password: str, organ: str | None
) -> dict[str, str]:
    """What is wrong with a new account's fields, by field (empty when nothing is): the one set of
    rules behind ``gongkai users add`` and the administrator's web form."""
    login, name = login.strip(), name.strip()
    problems: dict[str, str] = {}
    if not CODE_PATTERN.fullmatch(login):
        problems["login"] = (
            "登录名只用英文字母、数字和 . _ -（如 wang.wu），以字母或数字开头，不超过 64 个字符"
        )
    elif session.scalar(select(User).where(User.login == login)) is not None:
        problems["login"] = f"登录名「{login}」已被使用"
    if not name or len(name) > 100:
        problems["name"] = "姓名不能为空，也不能超过 100 字"
    if len(password) < MIN_PASSWORD_CHARS:
        problems["password"] = f"密码至少 {MIN_PASSWORD_CHARS} 个字符"
    try:
        kind = Role(role)
    except ValueError:
        problems["role"] = "角色应为 " + "、".join(f"{r.value}（{r.label}）" for r in Role)
        return problems
    if kind is Role.ADMIN:
        if organ:
            problems["organ"] = "管理员不属于某个机关"
    elif not organ:
        problems["organ"] = f"{kind.label}需要指定所属{'地区' if kind is Role.SUPERVISOR else '机关'}"
    else:
        try:
            found = find_organ(session, organ)
        except NotFound as exc:
            problems["organ"] = str(exc)
        else:
            if kind is Role.SUPERVISOR and found.kind != "region":
                problems["organ"] = f"「{found.name}」是机关；监督人员应属于地区"
            if kind.organ_staff and found.kind != "organ":
                problems["organ"] = f"「{found.name}」是地区；{kind.label}应属于机关"
    return problems


def add_user(
    session: Session, login: str, name: str, role: Role | str, password: str, *, organ: str | None, actor: str
) -> User:
    """Create an account. Organ staff need an organ, a supervisor a region, an administrator neither."""
    login, name, organ = login.strip(), name.strip(), (organ or "").strip() or None
    problems = account_problems(session, login, name, str(role), password, organ)
    if problems:
        raise Refused("；".join(problems.values()))
    role = Role(role)
    organ_id = find_organ(session, organ).id if organ is not None else None
    user = User(
        login=login,
        name=name,
        role=role.value,
        organ_id=organ_id,
        password_hash=_HASHER.hash(password),
        created_at=now(),
    )
    session.add(user)
    session.flush()
    audit(
        session,
        actor,
        "user",
        login,
        "create",
        organ_id=organ_id,
        after={"name": name, "role": role.value, "organ": organ},
    )
    return user


def find_user(session: Session, login: str) -> User:
    """The account with this login."""
    user = session.scalar(select(User).where(User.login == login.strip()))
    if user is None:
        raise Refused(f"没有登录名为「{login}」的账号")
    return user


def account_by_id(session: Session, user_id: int) -> User | None:
    """The account with this id, active or not, or None (removed since the session began)."""
    return session.get(User, user_id)


def accounts_listed(session: Session) -> list[User]:
    """Every account, by organ, role and login, as the administrator's list shows them."""
    return list(session.scalars(select(User).order_by(User.organ_id, User.role, User.login)))


def account_trail(session: Session, login: str, limit: int = 50) -> list[AuditEntry]:
    """The newest changes made to the account (not by it), newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "user", AuditEntry.entity_id == login)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


def staffed_organs(session: Session) -> set[int | None]:
    """The ids of the organs (and regions) with at least one active account (None: an account of no
    organ, an administrator's)."""
    return set(session.scalars(select(User.organ_id).where(User.active.is_(True)).distinct()))


def names_of(session: Session, logins: set[str]) -> dict[str, str]:
    """The names of the accounts with these logins (one that is not an account is left out)."""
    return dict(session.execute(select(User.login, User.name).where(User.login.in_(logins))).all())


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Give an account a new password. Every session signed in with the old one ends at its next
    page (see :func:`session_stamp`)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise Refused(f"密码至少 {MIN_PASSWORD_CHARS} 个字符")
    user.password_hash = _HASHER.hash(password)
    audit(session, actor, "user", user.login, "password", organ_id=user.organ_id)


def set_active(session: Session, user: User, active: bool, *, actor: str) -> None:
    """Stop an account (its sessions end at the next page, for good) or start it again; accounts are
    never deleted. The last active administrator is never stopped."""
    if not active and user.role == Role.ADMIN:
        # every active administrator's row, locked in one order (PostgreSQL): two administrators
        # stopping each other at once are served one after the other, and the second is refused
        admins = session.scalars(
            select(User.id)
            .where(User.role == Role.ADMIN.value, User.active.is_(True))
            .order_by(User.id)
            .with_for_update()
        ).all()
        if not set(admins) - {user.id}:
            raise Refused("这是最后一个在用的管理员账号，不能停用")
    before = user.active
    user.active = active
    if not active:
        user.session_epoch += 1  # its sessions end for good, not only while it is stopped
    audit(
        session,
        actor,
        "user",
        user.login,
        "start" if active else "stop",
        organ_id=user.organ_id,
        before={"active": before},
        after={"active": active},
    )


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password is the one hashed. With no hash (no such account) a dummy is checked,
    so that a wrong login takes as long as a wrong password. Takes about a tenth of a second of a
    core and 64 MiB: the web app runs it on threads of its own, a few at a time."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def account_for_login(session: Session, login: str) -> User | None:
    """The account with this login, active or not, or None."""
    return session.scalar(select(User).where(User.login == login.strip()))


@dataclass(frozen=True)
class SignInFacts:
    """What signing in needs of an account, as plain values that outlive their session."""

    id: int
    password_hash: str
    active: bool
    session_epoch: int


def sign_in_facts(factory: sessionmaker[Session], login: str) -> SignInFacts | None:
    """The account's id, hash and state, read in a short read-only transaction of its own: the
    password check that follows holds no connection (or SQLite lock) while it works."""
    with factory() as session, session.begin():
        session.connection(execution_options=READ_ONLY)
        user = account_for_login(session, login)
        if user is None:
            return None
        return SignInFacts(user.id, user.password_hash, user.active, user.session_epoch)


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active account with this login and password, or None (never saying which was wrong)."""
    user = account_for_login(session, login)
    if not password_matches(user.password_hash if user is not None else None, password):
        return None
    if user is None or not user.active:
        return None
    return user


def session_stamp(password_hash: str, epoch: int) -> str:
    """A short digest of the account's password hash and session epoch, kept in its signed session
    cookie: when the password changes, or the account is stopped or its sessions ended (the epoch
    is raised), the stamp no longer matches and every older session ends for good, even once the
    account is started again."""
    return hashlib.sha256(f"{epoch}:{password_hash}".encode()).hexdigest()[:16]


def end_sessions(session: Session, user: User, *, actor: str) -> None:
    """End every session of the account at its next page (a lost phone, a shared computer)."""
    user.session_epoch += 1
    audit(session, actor, "user", user.login, "end sessions", organ_id=user.organ_id)


def end_session(session: Session, user_id: int, session_id: str, lifetime: timedelta) -> None:
    """End one signed-in session for good (signing out): a copy of its cookie no longer counts, and
    the person's other sessions go on. Rows older than a session's ``lifetime`` are removed (their
    cookies have expired anyway)."""
    moment = now()
    session.execute(delete(EndedSession).where(EndedSession.ended_at < moment - lifetime))
    if session.get(EndedSession, session_id) is None:
        try:
            with session.begin_nested():  # the same session signed out twice at once: one row
                session.add(EndedSession(session_id=session_id, user_id=user_id, ended_at=moment))
        except IntegrityError:
            pass


def session_ended(session: Session, session_id: str) -> bool:
    """Whether the session was ended by signing out."""
    return session.get(EndedSession, session_id) is not None


def change_own_password(session: Session, user: User, current: str, new: str, repeat: str) -> dict[str, str]:
    """A person changes their own password: the current one must be right, the new one long enough,
    different, and typed the same twice. Returns the problems by field; empty when the password was
    changed (nothing changes otherwise)."""
    problems: dict[str, str] = {}
    if not password_matches(user.password_hash, current):
        problems["current"] = "当前密码不对"
    if len(new) < MIN_PASSWORD_CHARS:
        problems["new"] = f"新密码至少 {MIN_PASSWORD_CHARS} 个字符"
    elif new == current:
        problems["new"] = "新密码不能与当前密码相同"
    elif repeat != new:
        problems["repeat"] = "两次输入的新密码不一致"
    if not problems:
        set_password(session, user, new, actor=user.login)
    return problems


@dataclass(frozen=True)
class Scope:
    """What one signed-in person may see: the organs, and whose personal data."""

    user_id: int
    role: Role
    organ_ids: frozenset[int]  # every organ (and region) visible
    home_organ_id: int | None
    # The ids are every organ in the store (an administrator's, the top region's supervisor's):
    # queries then need no condition on organs at all. Counted once, when the scope is made.
    every_organ: bool = False

    def sees(self, organ_id: int) -> bool:
        """Whether the organ's records are visible at all."""
        return self.role is Role.ADMIN or organ_id in self.organ_ids

    def sees_personal_data(self, organ_id: int) -> bool:
        """Applicants' names, IDs and contacts: only the staff of the organ asked."""
        return self.role.organ_staff and organ_id == self.home_organ_id


def scope_of(session: Session, user: User) -> Scope:
    """The organs a person may see, from their role and organ."""
    role = Role(user.role)
    if role is Role.ADMIN:
        ids = frozenset(session.scalars(select(Organ.id)).all())
        return Scope(user.id, role, ids, user.organ_id, every_organ=True)
    if role is Role.SUPERVISOR:
        ids = frozenset(organs_below(session, user.organ_id))
        # the ids are organs' ids: as many as there are organs, they are all of them
        every = bool(ids) and len(ids) == session.scalar(select(func.count()).select_from(Organ))
        return Scope(user.id, role, ids, user.organ_id, every_organ=every)
    ids = frozenset({user.organ_id}) if user.organ_id is not None else frozenset()
    return Scope(user.id, role, ids, user.organ_id)


def organs_below(session: Session, root: int | None) -> set[int]:
    """The ids of ``root`` and every organ and region below it."""
    return subtree_ids(session, root) if root is not None else set()


def organs_in_scope(session: Session, scope: Scope) -> list[Organ]:
    """The organs and regions the person may see, by code."""
    return list(session.scalars(select(Organ).where(Organ.id.in_(scope.organ_ids)).order_by(Organ.code)))
