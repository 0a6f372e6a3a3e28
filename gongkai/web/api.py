"""The JSON API under ``/api``, described by the OpenAPI document at ``/api/openapi.json``.

The same scope as the pages: another organ's records are 404; applicants' personal data only for
the staff of the organ asked.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select

from gongkai.store.casefiles import find_request
from gongkai.store.records import NotFound
from gongkai.store.tables import Organ
from gongkai.store.tables import Request as RequestRow
from gongkai.web.deps import DB, Me, visible_organ


class Problem(BaseModel):
    """Why a request was refused, in Chinese."""

    detail: str


router = APIRouter(
    prefix="/api",
    tags=["api"],
    responses={
        401: {"model": Problem, "description": "未登录"},
        404: {"model": Problem, "description": "没有这个机关或申请（或不在查看范围内）"},
    },
)


class OrganPublic(BaseModel):
    """An organ or region."""

    code: str
    name: str
    kind: str
    parent: str | None


class RequestPublic(BaseModel):
    """A request as anyone in scope may see it (no personal data)."""

    number: str
    received_on: date
    applicant_kind: str
    status: str
    answer_due: date | None
    outcome: str | None
    concluded_on: date | None


class RequestStaff(RequestPublic):
    """A request as its organ's staff see it."""

    applicant_name: str
    applicant_id: str
    applicant_contact: str
    subject: str


@router.get("/organs", response_model=list[OrganPublic])
def list_organs(session: DB, me: Me) -> list[OrganPublic]:
    """The organs and regions the caller may see."""
    organs = session.scalars(select(Organ).where(Organ.id.in_(me.scope.organ_ids)).order_by(Organ.code)).all()
    codes = {o.id: o.code for o in session.scalars(select(Organ))}
    return [OrganPublic(code=o.code, name=o.name, kind=o.kind, parent=codes.get(o.parent_id)) for o in organs]


@router.get("/organs/{code}/requests", response_model=list[RequestPublic])
def list_organ_requests(session: DB, me: Me, code: str, open_only: bool = False) -> list[RequestPublic]:
    """An organ's requests, newest first (at most 1,000)."""
    organ = visible_organ(session, me, code)
    query = select(RequestRow).where(RequestRow.organ_id == organ.id)
    if open_only:
        query = query.where(RequestRow.concluded_on.is_(None))
    rows = session.scalars(query.order_by(RequestRow.received_on.desc()).limit(1000))
    return [RequestPublic.model_validate(row, from_attributes=True) for row in rows]


@router.get("/organs/{code}/requests/{number}", response_model=RequestStaff | RequestPublic)
def read_request(session: DB, me: Me, code: str, number: str) -> RequestStaff | RequestPublic:
    """One request; with the applicant's details for the organ's own staff only."""
    organ = visible_organ(session, me, code)
    try:
        row = find_request(session, organ, number)
    except NotFound:
        raise HTTPException(404, "没有这件申请") from None
    model = RequestStaff if me.scope.sees_personal_data(organ.id) else RequestPublic
    return model.model_validate(row, from_attributes=True)
