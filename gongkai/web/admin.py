"""Administration: organs and accounts (the administrator only), and each person's own password.

The same store functions as ``gongkai organs`` and ``gongkai users`` do the work, with the same
rules (:func:`account_problems`, :func:`organ_problems`), so the command line and the web agree.
Accounts are never deleted: they are stopped, and every change is in the audit trail.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from gongkai.store.accounts import (
    ROLE_LABELS,
    Role,
    account_problems,
    account_trail,
    accounts_listed,
    add_user,
    change_own_password,
    end_sessions,
    find_user,
    session_stamp,
    set_active,
    set_password,
    staffed_organs,
)
from gongkai.store.records import (
    NotFound,
    Refused,
    add_organ,
    find_organ,
    organ_by_id,
    organ_problems,
    organ_tree,
    rename_organ,
)
from gongkai.store.tables import User
from gongkai.web.deps import DB, FormFields, Me, Principal, check_csrf, page, require

# Every page here but one's own account is the administrator's (deps.require).
ADMIN_ONLY = Depends(require(Role.ADMIN, refusal="只有管理员可以管理机关和账号"))
router = APIRouter()
USER_FIELDS = ("login", "name", "role", "organ", "password")
ORGAN_FIELDS = ("code", "name", "kind", "parent")
USER_ACTIONS = ("password", "stop", "start", "end-sessions")
TRAIL_LABELS = {
    "create": "建立账号",
    "password": "设置新密码",
    "stop": "停用",
    "start": "启用",
    "end sessions": "结束全部会话",
}


# --- one's own account ---------------------------------------------------------------------------


@router.get("/account")
def account(request: Request, me: Me, changed: bool = False):
    """The signed-in person's account, with the form to change their password."""
    return page(request, "account.html", me=me, problems={}, changed=changed)


@router.post("/account/password", dependencies=[Depends(check_csrf)])
def change_password(request: Request, session: DB, me: Me, fields: FormFields):
    """Change one's own password; every other session of the account ends, this one goes on."""
    user = me.user  # loaded in this request's session (deps.principal)
    problems = change_own_password(
        session, user, fields.get("current", ""), fields.get("new", ""), fields.get("repeat", "")
    )
    if problems:
        return page(request, "account.html", 400, me=me, problems=problems, changed=False)
    request.session["stamp"] = session_stamp(user.password_hash, user.session_epoch)
    return RedirectResponse("/account?changed=1", status_code=303)


# --- organs --------------------------------------------------------------------------------------


def _organs_page(request: Request, session, me: Principal, status: int = 200, **context: object):
    tree = organ_tree(session)
    context.setdefault("problems", {})
    context.setdefault("form", {})
    return page(
        request,
        "admin_organs.html",
        status,
        me=me,
        tree=tree,
        region_options=[(organ.code, organ.name) for _, organ in tree if organ.kind == "region"],
        staffed=staffed_organs(session),  # whether an organ has any account, not how many
        **context,
    )


@router.get("/admin/organs", dependencies=[ADMIN_ONLY])
def organs(request: Request, session: DB, me: Me):
    """Every region and organ, as a tree, with the forms to add and rename them."""
    return _organs_page(request, session, me)


@router.post("/admin/organs", dependencies=[Depends(check_csrf), ADMIN_ONLY])
def create_organ(request: Request, session: DB, me: Me, fields: FormFields):
    """Add a region or an organ; each problem is shown beside its field."""
    form = {key: fields.get(key, "") for key in ORGAN_FIELDS}
    problems = organ_problems(session, form["code"], form["name"], form["kind"], form["parent"] or None)
    if problems:
        return _organs_page(request, session, me, 400, problems=problems, form=form)
    add_organ(
        session,
        form["code"],
        form["name"],
        kind=form["kind"],
        parent=form["parent"] or None,
        actor=me.user.login,
    )
    return RedirectResponse(f"/admin/organs#organ-{form['code']}", status_code=303)


@router.post("/admin/organs/{code}/rename", dependencies=[Depends(check_csrf), ADMIN_ONLY])
def rename(request: Request, session: DB, me: Me, code: str, fields: FormFields):
    """Give an organ its new name (机构改革); its code and records stay."""
    try:
        organ = find_organ(session, code)
        rename_organ(session, organ, fields.get("name", ""), actor=me.user.login)
    except NotFound:
        raise HTTPException(404, "没有这个机关") from None
    except Refused as exc:
        return _organs_page(request, session, me, 400, renaming={code: str(exc)})
    return RedirectResponse(f"/admin/organs#organ-{code}", status_code=303)


# --- accounts ------------------------------------------------------------------------------------


def _users_page(request: Request, session, me: Principal, status: int = 200, **context: object):
    organs = {organ.id: organ for _, organ in organ_tree(session)}
    users = accounts_listed(session)
    context.setdefault("problems", {})
    context.setdefault("form", {})
    return page(
        request,
        "admin_users.html",
        status,
        me=me,
        users=users,
        organs=organs,
        organ_options=[
            (organ.code, "　" * depth + organ.name + ("（地区）" if organ.kind == "region" else ""))
            for depth, organ in organ_tree(session)
        ],
        role_options=[(role.value, role.label) for role in Role],
        role_labels=ROLE_LABELS,
        **context,
    )


@router.get("/admin/users", dependencies=[ADMIN_ONLY])
def users(request: Request, session: DB, me: Me):
    """Every account with its role, organ and state, and the form to add one."""
    return _users_page(request, session, me)


@router.post("/admin/users", dependencies=[Depends(check_csrf), ADMIN_ONLY])
def create_user(request: Request, session: DB, me: Me, fields: FormFields):
    """Add an account; each problem is shown beside its field and what was typed is kept (but the
    password)."""
    form = {key: fields.get(key, "") for key in USER_FIELDS}
    problems = account_problems(
        session, form["login"], form["name"], form["role"], form["password"], form["organ"] or None
    )
    if problems:
        form["password"] = ""
        return _users_page(request, session, me, 400, problems=problems, form=form)
    add_user(
        session,
        form["login"],
        form["name"],
        form["role"],
        form["password"],
        organ=form["organ"] or None,
        actor=me.user.login,
    )
    return RedirectResponse(f"/admin/users/{form['login']}", status_code=303)


def _account_of(session, login: str) -> User:
    try:
        return find_user(session, login)
    except Refused:
        raise HTTPException(404, "没有这个账号") from None


def _user_page(request: Request, session, me: Principal, user: User, status: int = 200, **context: object):
    trail = account_trail(session, user.login)
    organ = organ_by_id(session, user.organ_id) if user.organ_id is not None else None
    context.setdefault("problem", None)
    return page(
        request,
        "admin_user.html",
        status,
        me=me,
        account=user,
        organ=organ,
        trail=trail,
        role_labels=ROLE_LABELS,
        action_labels=TRAIL_LABELS,
        **context,
    )


@router.get("/admin/users/{login}", dependencies=[ADMIN_ONLY])
def user_page(request: Request, session: DB, me: Me, login: str):
    """One account: its facts, a new password, stop or start, and its audit trail."""
    return _user_page(request, session, me, _account_of(session, login))


@router.post("/admin/users/{login}/{action}", dependencies=[Depends(check_csrf), ADMIN_ONLY])
def user_action(request: Request, session: DB, me: Me, login: str, action: str, fields: FormFields):
    """Set a new password, stop the account (its sessions end at their next page) or start it
    again. An administrator cannot stop their own account, so that one always remains."""
    if action not in USER_ACTIONS:
        raise HTTPException(404, "没有这个操作")
    user = _account_of(session, login)
    try:
        if user.id == me.user.id:  # one's own password needs the current one; one's own account stays
            raise Refused("自己的账号请在“我的账号”中修改密码；不能停用自己的账号")
        if action == "password":
            set_password(session, user, fields.get("password", ""), actor=me.user.login)
        elif action == "stop":
            set_active(session, user, False, actor=me.user.login)
        elif action == "start":
            set_active(session, user, True, actor=me.user.login)
        else:
            end_sessions(session, user, actor=me.user.login)
    except Refused as exc:  # raised before anything changed
        return _user_page(request, session, me, user, 400, problem=(action, str(exc)))
    return RedirectResponse(f"/admin/users/{login}", status_code=303)
