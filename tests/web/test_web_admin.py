"""Administration in the web (issue 6): the administrator adds and renames organs, adds accounts,
sets passwords, stops and starts accounts; everyone changes their own password. On SQLite and
PostgreSQL, through the same store rules as the command line."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from support.web import PASSWORD, client_as, csrf_of, site  # noqa: F401 (the fixture)

from gongkai.store.db import transaction
from gongkai.store.records import find_organ
from gongkai.store.tables import AuditEntry, User

NEW_PASSWORD = "a brand new passphrase"


def _post(client: TestClient, path: str, **fields: str):
    token = csrf_of(client.get("/account").text)
    return client.post(path, data={"csrf": token, **fields}, follow_redirects=False)


def _problem(html: str, field: str) -> str:
    """The problem shown beside a field, or ''."""
    match = re.search(rf'<span class="error" id="p-{field}">([^<]*)</span>', html)
    return match.group(1) if match else ""


def _signs_in(app, login: str, password: str) -> bool:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"login": login, "password": password, "csrf": token}, follow_redirects=False
    )
    return response.status_code == 303


def test_the_admin_adds_a_region_and_an_organ_with_problems_beside_their_fields(site, store) -> None:  # noqa: F811
    admin = client_as(site, "admin")
    response = _post(admin, "/admin/organs", code="kj", name="", kind="organ", parent="kj")
    assert response.status_code == 400
    assert "已被使用" in _problem(response.text, "code")
    assert _problem(response.text, "name")
    assert "是机关，不是地区" in _problem(response.text, "parent")

    response = _post(admin, "/admin/organs", code="zq", name="第三区人民政府", kind="region", parent="")
    assert response.status_code == 303
    response = _post(admin, "/admin/organs", code="zq-sj", name="第三区审计局", kind="organ", parent="zq")
    assert response.status_code == 303
    page = admin.get("/admin/organs").text
    assert 'id="organ-zq-sj"' in page and "第三区审计局" in page
    with transaction(store) as s:
        organ = find_organ(s, "zq-sj")
        assert organ.kind == "organ" and organ.parent_id == find_organ(s, "zq").id
        actors = s.scalars(select(AuditEntry.actor).where(AuditEntry.entity == "organ")).all()
        assert actors.count("admin") == 2


def test_a_rename_keeps_the_code_and_refuses_an_empty_name(site, store) -> None:  # noqa: F811
    admin = client_as(site, "admin")
    assert _post(admin, "/admin/organs/kj/rename", name="  ").status_code == 400
    assert _post(admin, "/admin/organs/kj/rename", name="某某区科学技术和工业信息化局").status_code == 303
    assert _post(admin, "/admin/organs/nowhere/rename", name="甲").status_code == 404
    assert "某某区科学技术和工业信息化局" in client_as(site, "clerk").get("/").text
    with transaction(store) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "rename")).one()
        assert entry.before == {"name": "某某区科学技术局"}


def test_the_admin_adds_an_account_who_then_sees_only_its_organ(site, store) -> None:  # noqa: F811
    admin = client_as(site, "admin")
    response = _post(
        admin, "/admin/users", login="clerk", name="李四", role="clerk", organ="xq", password="short"
    )
    assert response.status_code == 400
    assert "已被使用" in _problem(response.text, "login")
    assert "是地区" in _problem(response.text, "organ")
    assert "至少 10 个字符" in _problem(response.text, "password")
    assert 'value="李四"' in response.text  # what was typed is kept …
    assert 'value="short"' not in response.text  # … but never the password

    response = _post(
        admin, "/admin/users", login="lisi", name="李四", role="clerk", organ="jy", password=PASSWORD
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin/users/lisi"
    lisi = client_as(site, "lisi")
    assert lisi.get("/organs/jy/requests").status_code == 200
    assert lisi.get("/organs/kj/requests").status_code == 404
    with transaction(store) as s:
        user = s.scalars(select(User).where(User.login == "lisi")).one()
        assert user.role == "clerk" and user.password_hash.startswith("$argon2")


def test_a_new_password_ends_the_old_sessions(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    assert clerk.get("/organs/kj/requests").status_code == 200
    admin = client_as(site, "admin")
    response = _post(admin, "/admin/users/clerk/password", password="short")
    assert response.status_code == 400 and "至少 10 个字符" in response.text
    assert _post(admin, "/admin/users/clerk/password", password=NEW_PASSWORD).status_code == 303
    response = clerk.get("/organs/kj/requests", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert not _signs_in(site, "clerk", PASSWORD)
    assert _signs_in(site, "clerk", NEW_PASSWORD)


def test_a_stopped_account_is_out_until_started_and_the_admin_cannot_stop_itself(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    admin = client_as(site, "admin")
    assert _post(admin, "/admin/users/clerk/stop").status_code == 303
    assert clerk.get("/", follow_redirects=False).status_code == 303
    assert not _signs_in(site, "clerk", PASSWORD)
    assert "已停用" in admin.get("/admin/users").text
    assert _post(admin, "/admin/users/clerk/start").status_code == 303
    assert _signs_in(site, "clerk", PASSWORD)
    trail = admin.get("/admin/users/clerk").text.split("账号的审计轨迹")[1]
    assert re.findall(r"<td>(建立账号|停用|启用)</td>", trail) == ["启用", "停用", "建立账号"]  # newest first

    # the session held while it was stopped does not come back with the account
    assert clerk.get("/", follow_redirects=False).status_code == 303

    response = _post(admin, "/admin/users/admin/stop")
    assert response.status_code == 400 and "不能停用自己的账号" in response.text
    response = _post(admin, "/admin/users/admin/password", password=NEW_PASSWORD)
    assert response.status_code == 400 and "我的账号" in response.text  # one's own needs the current one
    assert admin.get("/admin/users").status_code == 200
    assert _post(admin, "/admin/users/nobody/stop").status_code == 404
    assert _post(admin, "/admin/users/clerk/delete").status_code == 404


def test_everyone_changes_their_own_password_and_keeps_this_session(site) -> None:  # noqa: F811
    here, elsewhere = client_as(site, "reviewer"), client_as(site, "reviewer")
    response = _post(here, "/account/password", current="wrong one!!", new=NEW_PASSWORD, repeat=NEW_PASSWORD)
    assert response.status_code == 400 and "当前密码不对" in _problem(response.text, "current")
    response = _post(here, "/account/password", current=PASSWORD, new=NEW_PASSWORD, repeat="something else")
    assert response.status_code == 400 and "不一致" in _problem(response.text, "repeat")
    assert _signs_in(site, "reviewer", PASSWORD)  # the refused change kept nothing
    response = _post(here, "/account/password", current=PASSWORD, new=PASSWORD, repeat=PASSWORD)
    assert "不能与当前密码相同" in _problem(response.text, "new")

    response = _post(here, "/account/password", current=PASSWORD, new=NEW_PASSWORD, repeat=NEW_PASSWORD)
    assert response.status_code == 303
    assert "密码已修改" in here.get(response.headers["location"]).text
    assert here.get("/organs/kj/requests").status_code == 200  # this session goes on
    assert elsewhere.get("/organs/kj/requests", follow_redirects=False).status_code == 303  # the other ends
    assert _signs_in(site, "reviewer", NEW_PASSWORD)


def test_ending_an_accounts_sessions_keeps_the_account(site) -> None:  # noqa: F811
    phone, desk = client_as(site, "clerk"), client_as(site, "clerk")
    admin = client_as(site, "admin")
    assert _post(admin, "/admin/users/clerk/end-sessions").status_code == 303
    for client in (phone, desk):
        assert client.get("/", follow_redirects=False).status_code == 303
    assert _signs_in(site, "clerk", PASSWORD)
    assert "结束全部会话" in admin.get("/admin/users/clerk").text.split("账号的审计轨迹")[1]


def test_the_last_active_administrator_is_never_stopped(site, store) -> None:  # noqa: F811
    import pytest

    from gongkai.store.accounts import add_user, find_user, set_active
    from gongkai.store.records import Refused

    with transaction(store) as s:
        with pytest.raises(Refused, match="最后一个在用的管理员"):
            set_active(s, find_user(s, "admin"), False, actor="t")
        add_user(s, "admin2", "第二管理员", "admin", PASSWORD, organ=None, actor="t")
    admin2 = client_as(site, "admin2")
    assert _post(admin2, "/admin/users/admin/stop").status_code == 303
    with transaction(store) as s, pytest.raises(Refused, match="最后一个在用的管理员"):
        set_active(s, find_user(s, "admin2"), False, actor="t")


def test_codes_and_logins_are_plain_enough_for_addresses_and_file_names(site) -> None:  # noqa: F811
    admin = client_as(site, "admin")
    for code in ("科技局", "a/b", "../x", "-x", "x y", "a" * 65):
        response = _post(admin, "/admin/organs", code=code, name="某局", kind="organ", parent="xq")
        assert response.status_code == 400 and "只用英文字母、数字" in _problem(response.text, "code"), code
    for login in ("王五", "a/b", "a?b"):
        response = _post(
            admin, "/admin/users", login=login, name="王五", role="clerk", organ="kj", password=PASSWORD
        )
        assert response.status_code == 400 and "只用英文字母、数字" in _problem(response.text, "login"), login
    assert (
        _post(admin, "/admin/organs", code="xq-sj.2", name="某局", kind="organ", parent="xq").status_code
        == 303
    )


def test_a_file_with_a_name_beyond_ascii_is_still_handed_out() -> None:
    """An organ code made before codes were checked may not be ASCII: its downloads still work."""
    from gongkai.web.deps import file_response

    response = file_response(b"x", "科技局-2025.xlsx")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="___-2025.xlsx"')
    assert "filename*=UTF-8''%E7%A7%91%E6%8A%80%E5%B1%80-2025.xlsx" in disposition
    assert response.media_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
