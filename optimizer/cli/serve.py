"""``cunjing serve``: the planners' workbench (规划工作台), a web application on the bureau's
intranet. The arguments are read here; ``web.command`` makes the first administrator, the sample
workspace, and runs the server."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import N_, _

DEFAULT_DATA = Path("cunjing-data")


def configure_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)")
    )
    p.add_argument("--port", type=int, default=8000, help=_("port (default 8000)"))
    p.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=_("folder of the database, uploads and plans (default ./cunjing-data)"),
    )
    p.add_argument(
        "--database-url",
        default="",
        help=_(
            "a PostgreSQL URL instead of the SQLite file in --data "
            "(postgresql+psycopg://user:password@host/db; or CUNJING_DATABASE_URL)"
        ),
    )
    p.add_argument(
        "--behind-proxy",
        action="store_true",
        help=_(
            "the bureau's TLS proxy is in front: trust its X-Forwarded-For/-Proto headers "
            "(from --proxy-address) and send cookies over https only"
        ),
    )
    p.add_argument(
        "--proxy-address",
        default="127.0.0.1",
        help=_("the proxy's address whose forwarded headers are trusted (default 127.0.0.1)"),
    )
    p.add_argument(
        "--tile-url",
        default="",
        help=_(
            "the bureau's own map tile server, e.g. http://tiles.gaj/{z}/{x}/{y}.png "
            "(default: no tiles, township and village shapes only)"
        ),
    )
    p.add_argument("--workers", type=int, default=2, help=_("worker processes for long work"))
    p.add_argument(
        "--admin",
        default="admin",
        help=_("the first administrator's account name, made when there is none (default admin)"),
    )
    p.add_argument(
        "--admin-password-file",
        type=Path,
        help=_("read the first administrator's password from this file (else it is asked)"),
    )
    p.add_argument(
        "--sample",
        action="store_true",
        help=_("start with a workspace of the embedded sample county (埇桥区) and its data"),
    )


def run_serve(args: argparse.Namespace) -> int:
    from ..web.command import serve

    return serve(args)


COMMANDS = {
    "serve": (
        N_("the planners' workbench (规划工作台): a web application on the intranet"),
        configure_serve,
        run_serve,
    ),
}
