"""scripts/agent_add.py, which makes the agent console's accounts: a private file (0600
whatever the umask) updated in place with argon2id hashes, short passwords and passwords
in argv refused, the password asked twice on a terminal."""
from __future__ import annotations

import os
import re
import select
import subprocess
import sys

import pytest

from appointments.console.accounts import Accounts, verify_password
from tests.e2e import servers
from tests.security.helpers import PASSWORDS, ROOT, agent_add


def test_agent_add_writes_a_private_file_and_updates_in_place(tmp_path):
    accounts_file = tmp_path / "var" / "agent-accounts"
    done = agent_add("Ana", PASSWORDS["ana"], accounts_file, umask=0)  # 0600 whatever the umask
    assert done.returncode == 0 and "Cuenta 'ana' creada" in done.stdout, done.stderr
    assert agent_add("luis", PASSWORDS["luis"], accounts_file).returncode == 0
    again = agent_add("ana", "otra-clave-para-ana", accounts_file)
    assert again.returncode == 0 and "actualizada" in again.stdout
    lines = [line for line in accounts_file.read_text().splitlines() if not line.startswith("#")]
    assert [line.split(":")[0] for line in lines] == ["ana", "luis"]
    assert all(re.fullmatch(r"[a-z]+:\$argon2id\$\S+", line) for line in lines)
    assert PASSWORDS["ana"] not in accounts_file.read_text()
    assert accounts_file.stat().st_mode & 0o777 == 0o600  # and no temporary file left
    assert [p.name for p in accounts_file.parent.iterdir()] == ["agent-accounts"]
    accounts = Accounts(None, accounts_file)
    assert verify_password(accounts.get("ana"), "otra-clave-para-ana")
    assert not verify_password(accounts.get("ana"), PASSWORDS["ana"])


def test_agent_add_refuses_short_passwords_and_passwords_in_argv(tmp_path):
    accounts_file = tmp_path / "agent-accounts"
    short = agent_add("ana", "corta-11ch", accounts_file)
    assert short.returncode == 1 and "al menos 12 caracteres" in short.stderr
    for extra in ("una-clave-bastante-larga", "--password=una-clave-bastante-larga"):
        assert agent_add("ana", PASSWORDS["ana"], accounts_file, extra).returncode == 2
    assert agent_add("ana:admin", "una-clave-bastante-larga", accounts_file).returncode == 2
    assert not accounts_file.exists()


def test_agent_add_asks_twice_on_a_terminal(tmp_path):
    pty = pytest.importorskip("pty")
    accounts_file = tmp_path / "agent-accounts"
    for answers, code in ((["una-clave-bastante-larga", "otra-clave-distinta!"], 1),
                          (["una-clave-bastante-larga"] * 2, 0)):
        leader, follower = pty.openpty()
        process = subprocess.Popen(  # a new session: no /dev/tty but the pty itself
            [sys.executable, str(ROOT / "scripts" / "agent_add.py"), "ana"], stdin=follower,
            stdout=follower, stderr=follower, start_new_session=True,
            env=servers.base_env(AGENT_ACCOUNTS_FILE=str(accounts_file), AGENT_ACCOUNTS=""))
        os.close(follower)
        for answer in answers:
            output = b""
            while not output.rstrip().endswith(b":"):
                assert select.select([leader], [], [], 30)[0], output
                output += os.read(leader, 1024)
            os.write(leader, answer.encode() + b"\n")
        assert process.wait(timeout=60) == code
        os.close(leader)
        assert accounts_file.exists() == (code == 0)
