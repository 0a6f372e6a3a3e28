"""``gongkai serve`` and ``gongkai demo``: the web platform, and demo data to try it with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gongkai import clock
from gongkai import settings as process_settings
from gongkai.cli.console import err, out
from gongkai.cli.session import work
from gongkai.store.db import StoreError


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="监听端口")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="数据库地址（默认 GONGKAI_DATABASE_URL 或数据目录里的 SQLite 文件）"
        ),
    ] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="数据目录（密钥、默认数据库）")] = None,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="只通过 HTTPS 发送登录 Cookie（部署在 HTTPS 之后时使用）")
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="工作进程数（多核机器上可设为核数）")
    ] = 1,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="反向代理的地址，逗号分隔：信任其 X-Forwarded-For，门户限额按访客的真实地址计数（默认只信任本机）",
        ),
    ] = "127.0.0.1",
) -> None:
    """启动网页平台（Start the web platform）。"""
    import uvicorn
    from limits.errors import ConfigurationError

    from gongkai.web.app import create_app
    from gongkai.web.public import portal_limits
    from gongkai.web.settings import WebSettings

    # Exported, not only passed: with --workers, each worker process builds the app from them.
    if data_dir is not None:
        database_url = database_url or f"sqlite:///{data_dir / 'gongkai.db'}"
        process_settings.export(home=str(data_dir))
    if database_url:
        process_settings.export(database_url=database_url)
    if secure_cookies:
        process_settings.export(secure_cookies="1")
    try:
        settings = WebSettings.load()
        app = create_app(settings)  # also brings the database up to date, once, before any worker
        # a storage URI the limits library cannot use is said now, not at the first portal request
        portal_limits(settings.rate_limit_storage, settings.filings_per_hour, settings.lookups_per_10_minutes)
    except (StoreError, OSError) as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    except ConfigurationError as exc:
        err.print(f"GONGKAI_RATE_LIMIT_STORAGE 无法使用：{exc}")
        raise typer.Exit(2) from None
    err.print(
        f"gongkai 网页平台：http://{host}:{port}/  （数据库 {settings.database_url}，{workers} 个工作进程）"
    )
    if workers > 1 and settings.rate_limit_storage.startswith("memory://"):
        err.print(
            f"注意：公众门户的提交和查询限额由每个工作进程分别计数（实际放宽为 {workers} 倍）；"
            "多进程时请设置 GONGKAI_RATE_LIMIT_STORAGE=redis://主机:6379/0 共用计数。"
        )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", forwarded_allow_ips=forwarded_allow_ips)
    else:  # each worker builds the app from the same environment
        uvicorn.run(
            "gongkai.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            forwarded_allow_ips=forwarded_allow_ips,
        )


def demo(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="数据目录（默认 GONGKAI_HOME）")] = None,
    year: Annotated[
        int | None, typer.Option("--year", min=2021, max=2100, help="示范数据的年度（默认今年）")
    ] = None,
    seeds: Annotated[Path | None, typer.Option("--seeds", help="样本报告所在文件夹")] = None,
) -> None:
    """生成示范数据（只生成一次）并列出示范账号（Make the demo data once and print the demo accounts）。"""
    from gongkai.demo import ACCOUNTS, DEMO_PASSWORD, has_demo, make_demo
    from gongkai.store.accounts import ROLE_LABELS, Role

    if data_dir is not None:
        process_settings.export(home=str(data_dir))
    with work() as s:
        if has_demo(s):
            out.print("示范数据已存在。")
        else:
            for line in make_demo(s, year=year or clock.today().year, seeds=seeds):
                out.print(f"已生成 {line}")
    out.print(f"示范账号（密码均为 {DEMO_PASSWORD}，仅供本机试用）：")
    for account in ACCOUNTS:
        out.print(f"  {account.login:10} {ROLE_LABELS[Role(account.role)]}  {account.name}")


def install(app: typer.Typer) -> None:
    """Add ``gongkai serve`` and ``gongkai demo``."""
    app.command("serve")(serve)
    app.command("demo")(demo)
