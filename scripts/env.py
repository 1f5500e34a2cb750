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

VAR = ROOT / "var"


def token(value: str | None, name: str) -> str:
    """`value` if set, or a random token kept in var/<name>, so neither the Rasa HTTP API
    nor the agent console is ever left open.

    The file is never readable by others, not even for a moment: it is written 0600
    (O_EXCL) under a temporary name, then put in place atomically. When two starts race,
    the first file in place wins and both read it (link refuses to overwrite); var/ is
    created 0700."""
    if value:
        return value
    path = VAR / name
    if not path.exists():
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path.parent, 0o700)  # mkdir's mode is cut by the umask
        temporary = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(32))
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(temporary, path)  # atomic, and never replaces a token in use
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                os.replace(temporary, path)
        finally:
            if temporary.exists():
                temporary.unlink()
    elif path.stat().st_mode & 0o077:  # left readable by an older version
        path.chmod(0o600)
    return path.read_text().strip()


def main() -> None:
    settings = Settings.from_env()
    redis = urlparse(settings.redis_url)
    values = {
        "RASA_TELEMETRY_ENABLED": "false",
        "REDIS_HOST": redis.hostname or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_DB": (redis.path or "/0").lstrip("/") or "0",
        "REDIS_PASSWORD": redis.password or "",
        "REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "TRACKER_TTL_SECONDS": os.environ.get("TRACKER_TTL_SECONDS") or str(24 * 3600),
        "ACTION_ENDPOINT_URL": os.environ.get("ACTION_ENDPOINT_URL")
        or f"http://127.0.0.1:{os.environ.get('ACTION_PORT', '5055')}/webhook",
        "RASA_API_TOKEN": token(settings.rasa_api_token, "rasa-api-token"),
        "AGENT_CONSOLE_TOKEN": token(settings.agent_console_token, "agent-console-token"),
        "ACTION_SERVER_TOKEN": token(settings.action_server_token, "action-server-token"),
        "RASA_URL": os.environ.get("RASA_URL")
        or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}",
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
