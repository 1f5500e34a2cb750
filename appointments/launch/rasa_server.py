"""`python -m appointments.launch.rasa_server [rasa run options]`: Rasa's server, locked down.

What `rasa run` would need on its command line is added here, in-process:
- the HTTP API is on, protected by JWT signed with RASA_API_TOKEN (HS256). Clients send
  `Authorization: Bearer <jwt>` (appointments/adapters/rasa_http.py makes them); Rasa's
  `?token=` is never enabled, so the secret travels in no URL and no proxy log;
- it listens on BIND_HOST (127.0.0.1 unless told otherwise);
- CORS only for RASA_CORS_ORIGINS (none by default);
- request bodies up to MAX_BODY_BYTES (Sanic's default is 100 MB), unless
  SANIC_REQUEST_MAX_SIZE says otherwise.
The secret never appears in argv: `ps` shows only this module and the options given.
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional

from appointments.settings import Settings, SettingsError

MIN_SECRET_LENGTH = 16
MAX_BODY_BYTES = 2**20  # webhooks post a few KB; the API's events lists are small too


def rasa_argv(settings: Settings, options: List[str]) -> List[str]:
    """The argument list `rasa` gets (in-process, never exec'd)."""
    if any(option.split("=")[0] in ("--auth-token", "-t", "--jwt-secret") for option in options):
        raise SettingsError("secrets come from the environment (RASA_API_TOKEN), not options")
    secret = settings.rasa_api_token or ""
    if len(secret) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"RASA_API_TOKEN must be at least {MIN_SECRET_LENGTH} characters "
            "(scripts/env.py makes one in var/rasa-api-token)"
        )
    # "--jwt-secret=<secret>" in one word: a secret starting with "-" (token_urlsafe
    # makes those) would otherwise be read as an option and the server would not start.
    argv = ["rasa", "run", *options, "--interface", settings.bind_host, "--enable-api",
            f"--jwt-secret={secret}", "--jwt-method", "HS256"]
    if settings.rasa_cors_origins:
        argv += ["--cors", *settings.rasa_cors_origins.split()]
    return argv


def main(options: Optional[List[str]] = None) -> int:
    try:
        argv = rasa_argv(Settings.from_env(), list(sys.argv[1:] if options is None else options))
    except SettingsError as error:
        print(f"Configuración inválida: {error}", file=sys.stderr)
        return 2
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))  # read by Sanic()
    from rasa.__main__ import main as rasa_main

    from appointments.rasa import session_start

    session_start.install()  # a paused conversation stays paused in a new session
    sys.argv = argv  # read by rasa's argument parser; /proc/<pid>/cmdline keeps ours
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
