"""Agent accounts for the console: a name and an argon2id password hash per agent.

They come from AGENT_ACCOUNTS ("ana:<hash>,luis:<hash>") and from the file
AGENT_ACCOUNTS_FILE (default var/agent-accounts: one "name:hash" a line, "#" comments),
which `make agent-add NAME=ana` (scripts/agent_add.py) writes with mode 0600. A name may
be in only one of the two. Names are compared in lower case. The console re-reads the
file when it changes, so adding or removing an agent needs no restart.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
MIN_SHARED_TOKEN_LENGTH = 16
NAME_PATTERN = re.compile(r"[^\W_][\w.-]{0,39}")  # letters (accents too), digits, . _ -
_HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106) parameters
# A comma starts a new account only before "name:$" (argon2 hashes contain commas).
_INLINE_SEPARATOR = re.compile(r",\s*(?=[^\s,:$]+:\$)")


class AccountsError(ValueError):
    """The accounts cannot be read; the message (Spanish) says where and why."""


def normalize_name(name: str) -> str:
    return unicodedata.normalize("NFC", " ".join(name.split())).lower()


def name_problem(name: str) -> Optional[str]:
    """Why `name` cannot be an account name (Spanish), or None."""
    if NAME_PATTERN.fullmatch(normalize_name(name)):
        return None
    return (f"'{name}' no sirve como nombre de agente: usa de 1 a 40 letras, números, "
            "'.', '_' o '-', empezando por letra o número (sin espacios ni ':').")


def password_problem(password: str) -> Optional[str]:
    """Why `password` is not acceptable (Spanish), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres "
                f"(tiene {len(password)}).")
    if password.strip() != password:
        return "La contraseña no puede empezar ni terminar con espacios."
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Slow on purpose (argon2): call it off the event loop."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy_hash: Optional[str] = None


def dummy_hash() -> str:
    """A hash nobody knows the password of: unknown names cost as much as known ones."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(24))
    return _dummy_hash


def _is_argon2id(password_hash: str) -> bool:
    try:
        return extract_parameters(password_hash).type is Type.ID
    except (InvalidHashError, ValueError):
        return False


def parse_entries(entries: Iterable[Tuple[str, str]]) -> Dict[str, str]:
    """{name: hash} from (where, "name:hash") pairs; AccountsError names the bad one."""
    accounts: Dict[str, str] = {}
    for where, entry in entries:
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        name, _, password_hash = entry.partition(":")
        name, password_hash = normalize_name(name), password_hash.strip()
        problem = name_problem(name)
        if problem:
            raise AccountsError(f"{where}: {problem}")
        if not _is_argon2id(password_hash):
            raise AccountsError(f"{where}: se esperaba 'nombre:hash' con un hash argon2id "
                                "(créalo con `make agent-add NAME=...`).")
        if name in accounts:
            raise AccountsError(f"{where}: '{name}' aparece dos veces.")
        accounts[name] = password_hash
    return accounts


def parse_inline(raw: Optional[str]) -> Dict[str, str]:
    parts = _INLINE_SEPARATOR.split((raw or "").strip())
    return parse_entries((f"AGENT_ACCOUNTS, cuenta {n}", p) for n, p in enumerate(parts, 1))


def read_file(path: Path) -> Dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise AccountsError(f"No se pudo leer {path}: {error}") from None
    if os.stat(path).st_mode & 0o077:
        logger.warning("%s can be read by other users: chmod 600 it", path)
    return parse_entries((f"{path}, línea {n}", line)
                         for n, line in enumerate(text.splitlines(), 1))


class Accounts:
    """The inline accounts plus the file's, re-read when the file changes."""

    def __init__(self, inline: Optional[str], path: Path) -> None:
        self.path = path
        self._inline = parse_inline(inline)
        self._stamp: Optional[tuple] = None
        self._accounts: Dict[str, str] = dict(self._inline)
        self.version = 0  # goes up each time the accounts change
        self.refresh(startup=True)

    def __bool__(self) -> bool:
        return bool(self._accounts)

    def get(self, name: str) -> Optional[str]:
        return self._accounts.get(name)

    def _file_stamp(self) -> Optional[tuple]:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size

    def _merge(self, from_file: Dict[str, str]) -> None:
        both = sorted(set(from_file) & set(self._inline))
        if both:
            raise AccountsError(f"{', '.join(both)}: en AGENT_ACCOUNTS y en {self.path} a la "
                                "vez; deja cada cuenta en un solo lugar.")
        self._accounts = {**self._inline, **from_file}
        self.version += 1

    def refresh(self, startup: bool = False) -> bool:
        """Re-read the file if it changed (one stat() otherwise). At startup a bad file
        raises AccountsError; later it is logged and the previous accounts stay."""
        stamp = self._file_stamp()
        if stamp == self._stamp and not startup:
            return False
        try:
            self._merge(read_file(self.path))
        except AccountsError as error:
            if startup:
                raise
            logger.error("agent accounts not reloaded, keeping the previous ones: %s", error)
            return False
        finally:
            self._stamp = stamp
        if not startup:
            logger.info("agent accounts reloaded from %s: %d account(s)",
                        self.path, len(self._accounts))
        return True


def save_account(path: Path, name: str, password_hash: str) -> bool:
    """Write or replace `name`'s line in the accounts file, atomically: a new file created
    0600 (O_EXCL) beside it, then os.replace. True if the account is new."""
    name = normalize_name(name)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = ["# Cuentas de la consola de agentes (nombre:hash argon2id); "
                 "usa `make agent-add NAME=...`"]
    entry, new = f"{name}:{password_hash}", True
    for index, line in enumerate(lines):
        if normalize_name(line.partition(":")[0]) == name and not line.startswith("#"):
            lines[index], new = entry, False
    if new:
        lines.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)  # whatever the umask
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return new
