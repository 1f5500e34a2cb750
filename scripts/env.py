"""Print `export NAME=value` lines for what Rasa's own YAML files read from the
environment (endpoints.yml), derived from appointments.settings so
REDIS_URL and REDIS_HOST/REDIS_PORT mean the same everywhere.

Used as: eval "$(python scripts/env.py)"
"""
from __future__ import annotations

import os
import secrets
import shlex
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appointments.settings import Settings  # noqa: E402

TOKEN_FILE = ROOT / "var" / "rasa-api-token"


def api_token(settings: Settings) -> str:
    """RASA_API_TOKEN, or a random one kept in var/ so the API is never left open."""
    if settings.rasa_api_token:
        return settings.rasa_api_token
    if not TOKEN_FILE.exists():
        TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
        TOKEN_FILE.write_text(secrets.token_urlsafe(32))
        TOKEN_FILE.chmod(0o600)
    return TOKEN_FILE.read_text().strip()


def main() -> None:
    settings = Settings.from_env()
    redis = urlparse(settings.redis_url)
    values = {
        "RASA_TELEMETRY_ENABLED": "false",
        "REDIS_HOST": redis.hostname or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_DB": (redis.path or "/0").lstrip("/") or "0",
        "REDIS_PASSWORD": redis.password or "",
        "TRACKER_TTL_SECONDS": os.environ.get("TRACKER_TTL_SECONDS") or str(30 * 24 * 3600),
        "ACTION_ENDPOINT_URL": os.environ.get("ACTION_ENDPOINT_URL")
        or f"http://127.0.0.1:{os.environ.get('ACTION_PORT', '5055')}/webhook",
        "RASA_API_TOKEN": api_token(settings),
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
