"""Who does what: the roles of the people who handle requests and reports.

The review of a report (:mod:`gongkai.casework.review`) names the role that takes each step; the
store keeps each account's role (:mod:`gongkai.store.accounts`) and re-exports these names.
"""

from __future__ import annotations

from enum import StrEnum


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
