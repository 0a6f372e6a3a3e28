"""Where the web app keeps its files and how it signs its cookies."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from gongkai import settings


@dataclass(frozen=True)
class WebSettings:
    """What ``gongkai serve`` is told: the database, a data folder, and cookie security."""

    database_url: str
    data_dir: Path
    secret_key: str
    secure_cookies: bool = False  # True behind HTTPS: cookies are then never sent over plain HTTP
    session_hours: int = 8
    filings_per_hour: int = 5  # portal requests per client address
    lookups_per_10_minutes: int = 30  # portal status lookups per client address
    rate_limit_storage: str = "memory://"
    """Where the portal's rate limits are counted: ``memory://`` counts in each worker process alone,
    so behind ``gongkai serve --workers N`` the limits are N times looser; ``redis://host:6379/0``
    shares one count among every worker and server (any ``limits`` storage URI is accepted)."""

    @classmethod
    def load(
        cls, *, url: str | None = None, data_dir: Path | None = None, secure_cookies: bool | None = None
    ) -> WebSettings:
        """Settings from the arguments, else the process's settings (:mod:`gongkai.settings`:
        ``GONGKAI_DATABASE_URL``, ``GONGKAI_HOME``, ``GONGKAI_SECURE_COOKIES``, the portal's limits
        and their storage), and the data folder, whose ``secret.key`` is made on first use."""
        process = settings.current()
        folder = data_dir or process.data_home
        folder.mkdir(parents=True, exist_ok=True)
        return cls(
            url or process.store_url,
            folder,
            _secret_key(folder),
            process.secure_cookies if secure_cookies is None else secure_cookies,
            filings_per_hour=process.portal_filings_per_hour,
            lookups_per_10_minutes=process.portal_lookups_per_10_minutes,
            rate_limit_storage=process.rate_limit_storage,
        )


def _secret_key(folder: Path) -> str:
    path = folder / "secret.key"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.write_text(secrets.token_urlsafe(48), encoding="ascii")
        partial.chmod(0o600)
        partial.replace(path)
    return path.read_text(encoding="ascii").strip()
