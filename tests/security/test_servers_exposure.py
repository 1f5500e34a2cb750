"""Findings 5 and 7: Rasa and the action server listened on 0.0.0.0; the action server
ran any action for anyone (forged tracker, CORS *, unbounded deflate bodies); Rasa's API
token travelled in argv and as `?token=`. Now: loopback by default, a shared secret for
the action server, bounded bodies, no CORS, the API secret only in the environment and
in signed short-lived tokens."""
from __future__ import annotations

import time
import zlib

import jwt
import psutil
import requests

from tests.security.helpers import booked_codes, seed, whatsapp_phone


def process_tree(server) -> list:
    process = psutil.Process(server.process.pid)
    return [process] + process.children(recursive=True)


def listening_addresses(server) -> set:
    return {
        connection.laddr.ip
        for process in process_tree(server)
        for connection in process.net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    }


def test_servers_listen_on_loopback_only(security_stack):
    for name, server in security_stack.processes.items():
        addresses = listening_addresses(server)
        assert addresses, name
        assert addresses <= {"127.0.0.1", "::1"}, (name, addresses)


def forged_cancel(phone: str, code: str) -> dict:
    slots = {"appointment_code": code, "selected_appointment": code, "confirmation": True}
    return {
        "next_action": "action_cancel_appointment", "sender_id": phone, "version": "3.6.21",
        "tracker": {"sender_id": phone, "slots": slots, "latest_message": {"intent": {}},
                    "events": [], "paused": False, "followup_action": None,
                    "active_loop": {}, "latest_action_name": "action_listen"},
        "domain": {"slots": {}, "responses": {}, "intents": [], "entities": [], "forms": {},
                   "actions": []},
    }


def test_the_action_server_wants_the_shared_secret(security_stack):
    phone = whatsapp_phone()
    code = seed(security_stack, phone)
    url = f"{security_stack.action_url}/webhook"
    for headers in ({}, {"X-Action-Token": "wrong"}, {"X-Action-Token": ""}):
        reply = requests.post(url, json=forged_cancel(phone, code), headers=headers, timeout=10)
        assert reply.status_code == 401, reply.text
    assert requests.get(f"{security_stack.action_url}/actions", timeout=10).status_code == 401
    assert requests.get(f"{security_stack.action_url}/health", timeout=10).status_code == 200
    assert booked_codes(security_stack, phone) == {code}


def test_the_action_server_bounds_inflated_bodies(security_stack):
    bomb = zlib.compress(b"{" + b" " * (200 * 2**20) + b"}", 9)  # 200 MB from ~200 KB
    started = time.monotonic()
    reply = requests.post(f"{security_stack.action_url}/webhook", data=bomb, timeout=30,
                          headers={"X-Action-Token": security_stack.action_token,
                                   "Content-Encoding": "deflate",
                                   "Content-Type": "application/json"})
    assert reply.status_code == 413
    assert time.monotonic() - started < 5.0


def test_no_cross_origin_access(security_stack):
    for url in (f"{security_stack.rasa_url}/conversations/x/tracker",
                f"{security_stack.action_url}/webhook"):
        preflight = requests.options(url, timeout=10, headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "Access-Control-Allow-Origin" not in preflight.headers, url


def test_secrets_are_in_no_command_line(security_stack):
    secrets = (security_stack.api_token, security_stack.action_token)
    for server in security_stack.processes.values():
        for process in process_tree(server):
            command_line = " ".join(process.cmdline())
            assert not any(secret in command_line for secret in secrets), command_line


def test_the_api_secret_is_no_url_password(security_stack):
    url = f"{security_stack.rasa_url}/conversations/x/tracker"
    assert requests.get(url, params={"token": security_stack.api_token},
                        timeout=10).status_code == 401
    assert requests.get(url, headers=security_stack.api_headers(), timeout=10).status_code == 200
    claims = {"user": {"username": "x", "role": "admin"}}
    forged = jwt.encode(claims, "another-secret-of-enough-length", algorithm="HS256")
    expired = jwt.encode(dict(claims, exp=int(time.time()) - 600), security_stack.api_token,
                         algorithm="HS256")
    for token in (forged, expired):
        reply = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert reply.status_code == 401, token
