"""What a running workbench is configured with: the data folder, the database, limits."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

SECRET_FILE = "secret.key"
DATABASE_FILE = "cunjing.db"


@dataclass(frozen=True)
class Settings:
    """``data``: the folder holding the SQLite file (unless ``database_url`` names another
    database), the uploaded bundles, the plan folders and the signing key."""

    data: Path
    database_url: str = ""
    behind_proxy: bool = False
    # a URL template of the bureau's own tile server ({z}/{x}/{y}); empty: polygons only
    tile_url: str = ""
    workers: int = 2
    max_upload_bytes: int = 50 * 1024 * 1024
    # what an upload may inflate to, all entries together (a zip bomb stops here)
    max_unpacked_bytes: int = 400 * 1024 * 1024
    max_zip_entries: int = 2000
    session_hours: float = 12.0
    idle_minutes: float = 120.0
    # https only cookies: on whenever the bureau's TLS proxy is in front
    secure_cookies: bool = False
    secret: bytes = field(default=b"", repr=False)

    @property
    def files(self) -> Path:
        return self.data / "files"

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data / DATABASE_FILE).resolve()}"


def signing_key(data: Path) -> bytes:
    """The key that signs session cookies: made once, kept in the data folder (owner only)."""
    path = data / SECRET_FILE
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    return path.read_bytes()


def load_settings(data: Path, **given) -> Settings:
    data = Path(data)
    data.mkdir(parents=True, exist_ok=True)
    url = given.pop("database_url", "") or os.environ.get("CUNJING_DATABASE_URL", "")
    return Settings(data=data, database_url=url, secret=signing_key(data), **given)
