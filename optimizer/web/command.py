"""``cunjing serve``: the workbench on the bureau's intranet."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import shutil
import sys
from pathlib import Path

DEFAULT_DATA = Path("cunjing-data")


def configure_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder of the database, uploads and plans (default ./cunjing-data)",
    )
    p.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL URL instead of the SQLite file in --data "
        "(postgresql+psycopg://user:password@host/db; or CUNJING_DATABASE_URL)",
    )
    p.add_argument(
        "--behind-proxy",
        action="store_true",
        help="the bureau's TLS proxy is in front: trust its X-Forwarded-For/-Proto headers "
        "(from --proxy-address) and send cookies over https only",
    )
    p.add_argument(
        "--proxy-address",
        default="127.0.0.1",
        help="the proxy's address whose forwarded headers are trusted (default 127.0.0.1)",
    )
    p.add_argument(
        "--tile-url",
        default="",
        help="the bureau's own map tile server, e.g. http://tiles.gaj/{z}/{x}/{y}.png "
        "(default: no tiles, township and village shapes only)",
    )
    p.add_argument("--workers", type=int, default=2, help="worker processes for long work")
    p.add_argument(
        "--admin",
        default="admin",
        help="the first administrator's account name, made when there is none (default admin)",
    )
    p.add_argument(
        "--admin-password-file",
        type=Path,
        help="read the first administrator's password from this file (else it is asked)",
    )
    p.add_argument(
        "--sample",
        action="store_true",
        help="start with a workspace of the embedded sample county (埇桥区) and its data",
    )


def _first_admin_password(args) -> str:
    from .passwords import password_problem

    if args.admin_password_file:
        password = args.admin_password_file.read_text(encoding="utf-8").strip()
    elif sys.stdin.isatty():
        print(f"首次启动：为管理员账户 {args.admin} 设置密码（至少10个字符）")
        password = getpass.getpass("密码: ")
        if getpass.getpass("再次输入: ") != password:
            raise SystemExit("cunjing serve: 两次输入的密码不一致 (the passwords differ)")
    else:
        raise SystemExit(
            "cunjing serve: 尚无管理员账户；请在终端运行以设置密码，或给出 --admin-password-file "
            "(no administrator yet: run it in a terminal, or give --admin-password-file)"
        )
    problem = password_problem(password)
    if problem:
        from .i18n import _

        raise SystemExit(f"cunjing serve: {_(problem)}")
    return password


def ensure_admin(store, args) -> None:
    from .models import Role
    from .store import Actor, count_admins, create_account

    with store.db() as db:
        if count_admins(db):
            return
        password = _first_admin_password(args)
        create_account(
            db, Actor(None, "cunjing serve", "command line"), args.admin, Role.ADMIN, password, []
        )
        db.commit()
    print(f"管理员账户 {args.admin} 已创建 (administrator account created)")


def seed_sample(store) -> None:
    """A workspace of the sample county with its bundle as data version 1 (once)."""
    from sqlalchemy import select

    from cunjing.optimizer.bundle import sample_path

    from .models import Account, BundleVersion, Role, Workspace
    from .plan_view import GEO_FILE, build_geo, write_json
    from .store import Actor, audit
    from .tasks import engine

    with store.db() as db:
        ws = db.scalar(select(Workspace).where(Workspace.region_code == "341302"))
        if ws is not None:
            return
        admin = db.scalar(select(Account).where(Account.role == Role.ADMIN.value))
        ws = Workspace(region_code="341302", region_name="埇桥区", year=2027, created_by=admin.id)
        db.add(ws)
        db.flush()
        target = store.path(f"bundles/{ws.id}/1")
        shutil.copytree(sample_path(), target / "bundle")
        checked = engine.validate(target / "bundle")
        write_json(build_geo(target / "bundle"), target / GEO_FILE)
        db.add(
            BundleVersion(
                workspace_id=ws.id,
                number=1,
                filename="sample (埇桥区)",
                sha256=checked["fingerprint"],
                size=0,
                path=f"bundles/{ws.id}/1/bundle",
                counts={**checked["counts"], "warnings": len(checked["warnings"])},
                created_by=admin.id,
            )
        )
        actor = Actor(None, "cunjing serve", "command line")
        audit(
            db,
            actor,
            "workspace.create",
            workspace_id=ws.id,
            target=f"workspace:{ws.id}",
            detail={"region_code": "341302", "region_name": "埇桥区", "year": 2027},
        )
        audit(db, actor, "bundle.upload", workspace_id=ws.id, detail={"filename": "sample"})
        db.commit()


def public_host(host: str) -> bool:
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host not in ("localhost",)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .settings import load_settings
    from .store import Store

    settings = load_settings(
        args.data,
        database_url=args.database_url,
        behind_proxy=args.behind_proxy,
        secure_cookies=args.behind_proxy,
        tile_url=args.tile_url,
        workers=args.workers,
    )
    store = Store(settings)
    try:
        ensure_admin(store, args)
        if args.sample:
            seed_sample(store)
    finally:
        store.close()
    if public_host(args.host):
        print(
            f"警告：工作台在 {args.host} 上对网络开放。请将其置于本局的 TLS (https) 代理之后，"
            "并使用 --behind-proxy。\n"
            f"warning: the workbench listens on {args.host}, open to the network: put it behind "
            "the bureau's TLS (https) proxy and run it with --behind-proxy.",
            file=sys.stderr,
        )
    app = create_app(settings)
    print(f"规划工作台: http://{args.host}:{args.port}/  (数据 {settings.data.resolve()})")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=args.behind_proxy,
        forwarded_allow_ips=args.proxy_address if args.behind_proxy else None,
        server_header=False,
        log_level="warning",
    )
    return 0
