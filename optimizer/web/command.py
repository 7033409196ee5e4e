"""``cunjing serve`` (its arguments are read in ``cli/serve.py``): the first administrator
(never a default password), the sample county's workspace on request, a warning when the server
listens beyond this machine, and the server itself."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import shutil
import sys

from ..i18n import _


def _first_admin_password(args) -> str:
    from .passwords import password_problem

    if args.admin_password_file:
        password = args.admin_password_file.read_text(encoding="utf-8").strip()
    elif sys.stdin.isatty():
        print(
            _("First start: set the password of the administrator {name} (10 characters at least)")
            .format(name=args.admin)
        )  # fmt: skip
        password = getpass.getpass(_("Password: "))
        if getpass.getpass(_("Again: ")) != password:
            raise SystemExit("cunjing serve: " + _("the two passwords differ"))
    else:
        raise SystemExit(
            "cunjing serve: "
            + _(
                "there is no administrator yet: run it in a terminal to set the password, or "
                "give --admin-password-file"
            )
        )
    problem = password_problem(password)
    if problem:
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
    print(_("administrator account {name} created").format(name=args.admin))


def seed_sample(store) -> None:
    """A workspace of the sample county with its bundle as data version 1 (once)."""
    from sqlalchemy import select

    from . import engine
    from .models import Account, BundleVersion, Role, Workspace
    from .plan_view import GEO_FILE, build_geo, write_json
    from .store import Actor, audit

    with store.db() as db:
        ws = db.scalar(select(Workspace).where(Workspace.region_code == "341302"))
        if ws is not None:
            return
        admin = db.scalar(select(Account).where(Account.role == Role.ADMIN.value))
        ws = Workspace(region_code="341302", region_name="埇桥区", year=2027, created_by=admin.id)
        db.add(ws)
        db.flush()
        target = store.path(f"bundles/{ws.id}/1")
        shutil.copytree(engine.sample_folder(), target / "bundle")
        checked = engine.validate(target / "bundle")
        write_json(build_geo(engine.load(target / "bundle")), target / GEO_FILE)
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


def serve(args: argparse.Namespace) -> int:
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
            _(
                "warning: the workbench listens on {host}, open to the network: put it behind "
                "the bureau's TLS (https) proxy and run it with --behind-proxy."
            ).format(host=args.host),
            file=sys.stderr,
        )
    app = create_app(settings)
    print(
        _("Planners' workbench: http://{host}:{port}/ (data in {data})").format(
            host=args.host, port=args.port, data=settings.data.resolve()
        )
    )
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
