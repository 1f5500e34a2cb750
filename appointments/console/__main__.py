"""`python -m appointments.console [--host H] [--port N]`: run the agent console.

Reads the same environment as the rest of the project (Settings.from_env); needs agent
accounts (AGENT_ACCOUNTS / AGENT_ACCOUNTS_FILE, `make agent-add NAME=ana`) or, without
them, AGENT_CONSOLE_TOKEN (16+ characters); the Twilio settings to send, and
RASA_URL/RASA_API_TOKEN to give conversations back.
"""
from __future__ import annotations

import argparse
import logging
import sys

from appointments.bootstrap import Parts
from appointments.console.accounts import AccountsError
from appointments.console.app import create_app
from appointments.console.auth import Authenticator, ConsoleSetupError
from appointments.settings import Settings, SettingsError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m appointments.console")
    parser.add_argument("--host", help="address to listen on; default: BIND_HOST (127.0.0.1)")
    parser.add_argument("--port", type=int, help="default: AGENT_CONSOLE_PORT (5056)")
    args = parser.parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    project_logger = logging.getLogger("appointments")  # Sanic sets up its own loggers
    project_logger.addHandler(handler)
    project_logger.setLevel(logging.INFO)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"Configuración inválida: {error}", file=sys.stderr)
        return 2
    try:
        authenticator = Authenticator(settings)
    except AccountsError as error:
        print(f"Cuentas de agente inválidas: {error}", file=sys.stderr)
        return 2
    except ConsoleSetupError as error:
        print(f"La consola no puede arrancar: {error}", file=sys.stderr)
        return 2
    twilio = (settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_phone_number)
    if not all(twilio):
        project_logger.warning("TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN/TWILIO_PHONE_NUMBER not set: "
                        "agents' replies will fail to send")
    parts = Parts(settings)
    app = create_app(settings, parts.handoff_desk(), authenticator=authenticator,
                     agenda=parts.agenda())
    port = args.port or settings.agent_console_port
    app.run(host=args.host or settings.bind_host, port=port, workers=1, access_log=False,
            motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
