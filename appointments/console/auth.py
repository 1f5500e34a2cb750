"""Who is asking: the console's login.

With agent accounts (appointments/console/accounts.py) an agent logs in with HTTP Basic
auth as their account name and password, and that name is what the audit trail records.
Without any account the shared AGENT_CONSOLE_TOKEN (16 characters or more) is the
password, with any user name or as `Authorization: Bearer <token>`, and the agent is
recorded as SHARED_AGENT, never as the name typed. Once accounts exist (even if added
while the console runs) the shared token stops working.

Failed logins are throttled per client IP and per name (throttle.py). argon2 runs in a
small thread pool off the event loop, and a good login is cached for a minute.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional, Tuple

from appointments.console.accounts import (
    MIN_SHARED_TOKEN_LENGTH,
    Accounts,
    dummy_hash,
    name_problem,
    normalize_name,
    verify_password,
)
from appointments.console.throttle import LoginThrottle, VerifiedCache
from appointments.settings import Settings

logger = logging.getLogger(__name__)

SHARED_AGENT = "agente (clave compartida)"
NEW_TOKEN = "python -c 'import secrets; print(secrets.token_urlsafe(24))'"


class ConsoleSetupError(ValueError):
    """The console cannot start; the message (Spanish) says what to do."""


@dataclass(frozen=True)
class Outcome:
    agent: Optional[str] = None  # who logged in; None: 401
    retry_after: int = 0  # > 0: too many failures, 429 for this many seconds


def _credentials(header: str) -> Optional[Tuple[Optional[str], str]]:
    """(user name, password) from a Basic or Bearer Authorization header; a Bearer has
    no name. None when there is no usable header."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return None, value.strip()
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        return None
    try:
        decoded = raw.decode("utf-8")  # what browsers send (charset="UTF-8" asked)
    except UnicodeDecodeError:
        decoded = raw.decode("latin-1")  # older clients
    name, _, password = decoded.partition(":")
    return normalize_name(name)[:60], password


def _check(password_hash: Optional[str], password: str) -> bool:
    """In the thread pool. An unknown name costs as much as a known one, so timing does
    not tell which names exist."""
    return verify_password(password_hash or dummy_hash(), password) and bool(password_hash)


class Authenticator:
    def __init__(self, settings: Settings, throttle: Optional[LoginThrottle] = None,
                 cache: Optional[VerifiedCache] = None) -> None:
        self.accounts = Accounts(settings.agent_accounts, settings.agent_accounts_file)
        self.token: Optional[str] = None
        if not self.accounts:
            token = settings.agent_console_token or ""
            if not token:
                raise ConsoleSetupError(
                    "No hay cuentas de agente ni AGENT_CONSOLE_TOKEN. Crea una cuenta por "
                    "agente con `make agent-add NAME=ana` (recomendado) o define "
                    f"AGENT_CONSOLE_TOKEN, p. ej. export AGENT_CONSOLE_TOKEN=$({NEW_TOKEN})."
                )
            if len(token) < MIN_SHARED_TOKEN_LENGTH:
                raise ConsoleSetupError(
                    f"AGENT_CONSOLE_TOKEN es demasiado corta ({len(token)} caracteres): "
                    f"debe tener al menos {MIN_SHARED_TOKEN_LENGTH}. Genera una con "
                    f"export AGENT_CONSOLE_TOKEN=$({NEW_TOKEN}) o, mejor, crea una cuenta "
                    "por agente con `make agent-add NAME=ana`."
                )
            self.token = token
            logger.warning("no agent accounts: the console accepts the shared "
                           "AGENT_CONSOLE_TOKEN and records agents as %r", SHARED_AGENT)
        elif settings.agent_console_token:
            logger.info("agent accounts in use: AGENT_CONSOLE_TOKEN is ignored")
        self.throttle = throttle or LoginThrottle()
        self.cache = cache or VerifiedCache()
        self._cache_version = self.accounts.version
        # argon2 takes ~64 MiB and a good fraction of a second per check: two at a time.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="console-login")

    @property
    def uses_accounts(self) -> bool:
        return self.token is None

    def challenge(self) -> str:
        """What the 401 page asks for (Spanish)."""
        if self.uses_accounts:
            return "Entra con tu usuario de agente y tu contraseña."
        return "Escribe la clave de la consola como contraseña (el usuario no importa)."

    async def authenticate(self, header: str, ip: str) -> Outcome:
        credentials = _credentials(header or "")
        if credentials is None:
            return Outcome()  # no attempt at all (a browser's first request): just ask
        self.accounts.refresh()
        if self.accounts and self.token is not None:
            logger.warning("agent accounts appeared: the shared AGENT_CONSOLE_TOKEN "
                           "no longer opens the console")
            self.token = None
        name, password = credentials
        if not self.uses_accounts:
            name = None  # the shared token says nothing about who is typing
        wait = self.throttle.retry_after(ip, name)
        if wait:
            return Outcome(retry_after=wait)
        if self.uses_accounts:
            return await self._account_login(header, ip, name, password)
        stamp = self.throttle.attempt(ip, None)
        if hmac.compare_digest(password.encode("utf-8"), self.token.encode("utf-8")):
            self.throttle.succeeded(ip, None, stamp)
            return Outcome(agent=SHARED_AGENT)
        self._log_failure(ip, None)
        return Outcome()

    async def _account_login(self, header: str, ip: str, name: Optional[str],
                             password: str) -> Outcome:
        if self._cache_version != self.accounts.version:
            self.cache.clear()  # an account was removed or its password changed
            self._cache_version = self.accounts.version
        digest = hashlib.sha256(header.encode("utf-8", "surrogateescape")).hexdigest()
        cached = self.cache.get(digest)
        if cached is not None and self.accounts.get(cached) is not None:
            return Outcome(agent=cached)
        if not name or name_problem(name):  # a Bearer header, or no possible account
            self.throttle.attempt(ip, None)
            self._log_failure(ip, None)
            return Outcome()
        key = name
        stamp = self.throttle.attempt(ip, key)
        password_hash = self.accounts.get(key)
        loop = asyncio.get_running_loop()
        good = await loop.run_in_executor(self._pool, _check, password_hash, password)
        if good and password_hash is not None:
            self.throttle.succeeded(ip, key, stamp)
            self.cache.put(digest, key)
            return Outcome(agent=key)
        self._log_failure(ip, key)
        return Outcome()

    def _log_failure(self, ip: str, name: Optional[str]) -> None:
        who = "" if name is None else f" as {name!r}"
        if self.throttle.locked(ip, name):
            logger.warning("console login failed%s from %s: locked out for a while", who, ip)
        else:
            logger.warning("console login failed%s from %s", who, ip)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
