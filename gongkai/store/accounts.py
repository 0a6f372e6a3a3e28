"""Accounts, roles and what each person may see.

An organ's staff (经办人 clerk, 审核人 reviewer, 审签人 approver) see their own organ; a supervisor
(政务公开办) sees every organ under its region; an administrator sees everything. Applicants'
personal data are for the staff of the organ the request was made to, and no one else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gongkai.store.records import Refused, audit, find_organ, now, organ_tree
from gongkai.store.tables import Organ, User

MIN_PASSWORD_CHARS = 10
_HASHER = PasswordHasher()
# Verified against when the login is unknown, so that a wrong login takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("gongkai: no such account")


class Role(StrEnum):
    """What a person does on the platform."""

    CLERK = "clerk"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role's name in Chinese."""
        return ROLE_LABELS[self]

    @property
    def organ_staff(self) -> bool:
        """Whether the role belongs to one organ (and so may see its applicants' personal data)."""
        return self in (Role.CLERK, Role.REVIEWER, Role.APPROVER)


ROLE_LABELS = {
    Role.CLERK: "经办人",
    Role.REVIEWER: "审核人",
    Role.APPROVER: "审签人",
    Role.SUPERVISOR: "政务公开办（监督）",
    Role.ADMIN: "管理员",
}


def add_user(
    session: Session, login: str, name: str, role: Role | str, password: str, *, organ: str | None, actor: str
) -> User:
    """Create an account. Organ staff need an organ, a supervisor a region, an administrator neither."""
    login, name = login.strip(), name.strip()
    try:
        role = Role(role)
    except ValueError:
        raise Refused("角色应为 " + "、".join(f"{r.value}（{r.label}）" for r in Role)) from None
    if not login or len(login) > 64 or not name or len(name) > 100:
        raise Refused("登录名（不超过 64 字）和姓名（不超过 100 字）都不能为空")
    if len(password) < MIN_PASSWORD_CHARS:
        raise Refused(f"密码至少 {MIN_PASSWORD_CHARS} 个字符")
    if session.scalar(select(User).where(User.login == login)) is not None:
        raise Refused(f"登录名「{login}」已被使用")
    organ_id = None
    if role is Role.ADMIN:
        if organ is not None:
            raise Refused("管理员不属于某个机关")
    else:
        if organ is None:
            raise Refused(
                f"{role.label}需要指定所属{'地区' if role is Role.SUPERVISOR else '机关'}（--organ）"
            )
        found = find_organ(session, organ)
        if role is Role.SUPERVISOR and found.kind != "region":
            raise Refused(f"「{found.name}」是机关；监督人员应属于地区")
        if role.organ_staff and found.kind != "organ":
            raise Refused(f"「{found.name}」是地区；{role.label}应属于机关")
        organ_id = found.id
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


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Give an account a new password (its old sessions stay valid until they expire)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise Refused(f"密码至少 {MIN_PASSWORD_CHARS} 个字符")
    user.password_hash = _HASHER.hash(password)
    audit(session, actor, "user", user.login, "password", organ_id=user.organ_id)


def set_active(session: Session, user: User, active: bool, *, actor: str) -> None:
    """Stop an account (its sessions end at the next page) or start it again; accounts are never deleted."""
    before = user.active
    user.active = active
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


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active account with this login and password, or None (never saying which was wrong)."""
    user = session.scalar(select(User).where(User.login == login.strip()))
    try:
        _HASHER.verify(user.password_hash if user is not None else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return user


@dataclass(frozen=True)
class Scope:
    """What one signed-in person may see: the organs, and whose personal data."""

    user_id: int
    role: Role
    organ_ids: frozenset[int]  # every organ (and region) visible
    home_organ_id: int | None

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
    elif role is Role.SUPERVISOR:
        ids = frozenset(_subtree(session, user.organ_id))
    else:
        ids = frozenset({user.organ_id}) if user.organ_id is not None else frozenset()
    return Scope(user.id, role, ids, user.organ_id)


def _subtree(session: Session, root: int | None) -> set[int]:
    below: set[int] = {root} if root is not None else set()
    for _, organ in organ_tree(session):  # parents come before their children
        if organ.parent_id in below:
            below.add(organ.id)
    return below
