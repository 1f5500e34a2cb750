"""`python scripts/agent_add.py NAME` (`make agent-add NAME=ana`): create an agent
account for the console, or change its password.

The password is asked twice on the terminal (getpass, not echoed); when stdin is not a
terminal (scripts, tests) its first line is the password. Never on the command line,
where `ps` and the shell history would show it. It needs 12 characters or more. The
argon2id hash goes to AGENT_ACCOUNTS_FILE (default var/agent-accounts), created with
mode 0600 and replaced atomically. A running console picks the change up by itself.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appointments.console.accounts import (  # noqa: E402
    hash_password,
    name_problem,
    normalize_name,
    parse_inline,
    password_problem,
    save_account,
)
from appointments.settings import Settings, SettingsError  # noqa: E402


def read_password(name: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"Contraseña para {name}: ")
        if getpass.getpass("Repítela: ") != first:
            raise ValueError("Las dos contraseñas no coinciden; no se cambió nada.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/agent_add.py",
        description="Crea una cuenta de agente para la consola o cambia su contraseña. "
                    "La contraseña se pide en la terminal (o se lee de la entrada "
                    "estándar), nunca como argumento.",
    )
    parser.add_argument("name", metavar="NOMBRE", help="nombre de usuario del agente, p. ej. ana")
    args = parser.parse_args(argv)
    problem = name_problem(args.name)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    name = normalize_name(args.name)
    try:
        settings = Settings.from_env()
        if name in parse_inline(settings.agent_accounts):
            print(f"'{name}' ya está en AGENT_ACCOUNTS: cámbiala ahí o quítala de ahí antes.",
                  file=sys.stderr)
            return 2
    except (SettingsError, ValueError) as error:
        print(f"Configuración inválida: {error}", file=sys.stderr)
        return 2
    try:
        password = read_password(name)
    except (ValueError, EOFError, KeyboardInterrupt) as error:
        print(str(error) or "Cancelado; no se cambió nada.", file=sys.stderr)
        return 1
    problem = password_problem(password)
    if problem:
        print(f"{problem} No se cambió nada.", file=sys.stderr)
        return 1
    path = settings.agent_accounts_file
    try:
        new = save_account(path, name, hash_password(password))
    except OSError as error:
        print(f"No se pudo escribir {path}: {error}", file=sys.stderr)
        return 1
    print(f"Cuenta '{name}' {'creada' if new else 'actualizada'} en {path}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
