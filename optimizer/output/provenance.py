"""What every written result carries so that it can be reproduced and audited: the versions
that made it and where its input came from."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..input.bundle import sample_path
from ..input.instance import Instance

PACKAGES = ("cunjing", "ortools", "highspy", "pandas", "geopandas", "shapely", "networkx")


def versions() -> dict[str, str | None]:
    """Python's and the solving packages' versions (None: not installed)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def bundle_reference(inst: Instance) -> str | None:
    """Where the input came from: None for the embedded sample, else the bundle's full path."""
    src = Path(inst.source).resolve()
    return None if src == sample_path().resolve() else str(src)
