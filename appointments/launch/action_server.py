"""`python -m appointments.launch.action_server [--port 5055] [--actions actions]`.

rasa-sdk's action server, closed to everyone but our Rasa servers:
- listens on BIND_HOST (127.0.0.1 unless told otherwise), no CORS;
- every request but GET /health must carry `X-Action-Token: <ACTION_SERVER_TOKEN>`
  (endpoints.yml makes Rasa send it); otherwise 401 and nothing runs;
- bodies are bounded: MAX_BODY_BYTES as sent, and MAX_BODY_BYTES once inflated for
  `Content-Encoding: deflate` (checked before rasa-sdk inflates it), other encodings 415;
- actions run in ACTION_THREADS worker threads, never on the server's event loop
  (action_threads.py).
"""
from __future__ import annotations

import argparse
import hmac
import logging
import sys
import zlib
from typing import Any, List, Optional

from appointments.launch import action_threads
from appointments.settings import Settings, SettingsError

TOKEN_HEADER = "X-Action-Token"
MIN_TOKEN_LENGTH = 16
MAX_BODY_BYTES = 10 * 2**20  # a tracker of a long conversation, with room to spare

logger = logging.getLogger(__name__)


def inflated_size_ok(body: bytes, limit: int = MAX_BODY_BYTES) -> bool:
    """Does `body` inflate to at most `limit` bytes (without inflating more than that)?"""
    inflater = zlib.decompressobj()
    try:
        inflater.decompress(body, limit + 1)
    except zlib.error:
        return True  # rasa-sdk answers the broken body itself
    return not inflater.unconsumed_tail


def guard(token: str) -> Any:
    from sanic import response

    expected = token.encode("utf-8")

    async def check(request: Any) -> Optional[Any]:
        if request.path == "/health" and request.method in ("GET", "HEAD"):
            return None
        given = request.headers.get(TOKEN_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "not authorized"}, status=401)
        encoding = request.headers.get("Content-Encoding", "identity").lower()
        if encoding == "deflate":
            if not inflated_size_ok(request.body or b""):
                return response.json({"error": "body too large"}, status=413)
        elif encoding != "identity":
            return response.json({"error": "unsupported encoding"}, status=415)
        return None

    return check


def create_app(settings: Settings, actions: str = "actions") -> Any:
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from rasa_sdk.plugin import plugin_manager

    token = settings.action_server_token or ""
    if len(token) < MIN_TOKEN_LENGTH:
        raise SettingsError(
            f"ACTION_SERVER_TOKEN must be at least {MIN_TOKEN_LENGTH} characters "
            "(scripts/env.py makes one in var/action-server-token)"
        )
    action_threads.install(settings.action_threads)
    app = create_sdk_app(actions, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.register_middleware(guard(token), "request")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m appointments.launch.action_server")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    from rasa_sdk import utils

    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    try:
        settings = Settings.from_env()
        app = create_app(settings, args.actions)
    except SettingsError as error:
        print(f"Configuración inválida: {error}", file=sys.stderr)
        return 2
    logger.info("action server on http://%s:%s", settings.bind_host, args.port)
    app.run(settings.bind_host, args.port, workers=utils.number_of_sanic_workers(),
            access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
