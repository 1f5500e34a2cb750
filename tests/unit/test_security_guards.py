"""The guards in front of the channels and the launchers' argument lists, without a
server: fake requests carry exactly what Sanic would give the guard."""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Dict, Optional

import pytest
from twilio.request_validator import RequestValidator

from appointments.rasa.channels.rest_guard import is_whatsapp_sender, refusal
from appointments.rasa.channels.webhook_guard import WebhookGuard, signature
from appointments.launch.action_server import inflated_size_ok
from appointments.launch.rasa_server import rasa_argv
from appointments.settings import Settings, SettingsError


class Headers(dict):
    def __init__(self, values: Dict[str, str]) -> None:
        super().__init__({k.lower(): v for k, v in values.items()})

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __contains__(self, key) -> bool:
        return super().__contains__(key.lower())


def request(body: Optional[dict] = None, ip: str = "127.0.0.1", method: str = "POST",
            **headers: str) -> SimpleNamespace:
    return SimpleNamespace(method=method, ip=ip, json=body,
                           headers=Headers({k.replace("_", "-"): v for k, v in headers.items()}))


def test_rest_is_local_unless_a_token_opens_it():
    settings = Settings()
    body = {"sender": "dev", "message": "hola"}
    assert refusal(settings, request(body)) is None
    assert refusal(settings, request(body, ip="10.0.0.8"))[0] == 403
    assert refusal(settings, request(body, X_Forwarded_For="1.2.3.4"))[0] == 403
    opened = Settings(rest_channel_token="s3cret-token-for-rest")
    assert refusal(opened, request(body, ip="10.0.0.8"))[0] == 401
    assert refusal(opened, request(body, ip="10.0.0.8",
                                   Authorization="Bearer s3cret-token-for-rest")) is None


@pytest.mark.parametrize("sender", ["whatsapp:+5215512345678", "WHATSAPP:+52155", " whatsapp :+1"])
def test_rest_never_speaks_as_a_whatsapp_user_unless_tests_allow_it(sender):
    assert is_whatsapp_sender(sender)
    body = {"sender": sender, "message": "5"}
    assert refusal(Settings(), request(body))[0] == 403
    assert refusal(Settings(rest_allow_whatsapp_senders=True), request(body)) is None


def form_request(params: Dict[str, str], sign_with: Optional[str], url: str,
                 content_type: str = "application/x-www-form-urlencoded") -> SimpleNamespace:
    from urllib.parse import urlencode

    headers = {"content-type": content_type}
    if sign_with is not None:
        headers["X-Twilio-Signature"] = RequestValidator(sign_with).compute_signature(url, params)
    return SimpleNamespace(body=urlencode(params).encode(), headers=Headers(headers),
                           path="/whatsapp-reply", query_string="")


def test_the_signature_matches_twilios_and_is_checked_once():
    params = {"From": "whatsapp:+5215512345678", "Body": "hola ¿qué tal?", "NumMedia": "0"}
    url = "https://citas.example.com/whatsapp-reply"
    assert signature("tok", url, params) == RequestValidator("tok").compute_signature(url, params)
    guard = WebhookGuard(Settings(twilio_auth_token="tok", public_url="https://citas.example.com"))
    assert guard.check(form_request(params, "tok", url)) == (None, params)
    assert guard.check(form_request(params, "tok", url.replace(".com", ".com:443")))[0][0] == 403
    assert guard.check(form_request(params, None, url))[0][0] == 403
    assert guard.check(form_request(params, "tok", url, "application/json"))[0][0] == 415
    big = dict(params, Body="a" * 70_000)
    assert guard.check(form_request(big, "tok", url))[0][0] == 413


def test_no_twilio_token_no_channel():
    params = {"From": "whatsapp:+5215512345678", "Body": "hola"}
    url = "https://citas.example.com/whatsapp-reply"
    guard = WebhookGuard(Settings(twilio_auth_token=None, public_url="https://citas.example.com"))
    assert guard.check(form_request(params, "", url))[0][0] == 503


def test_a_secret_starting_with_a_dash_is_not_read_as_an_option():
    from rasa.cli.arguments.run import add_server_arguments
    import argparse

    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    secret = "-Rk2" + "x" * 20  # secrets.token_urlsafe makes such secrets now and then
    argv = rasa_argv(Settings(rasa_api_token=secret), ["--port", "5005"])
    assert parser.parse_args(argv[2:]).jwt_secret == secret


def test_rasa_gets_its_secret_in_process_and_listens_on_loopback():
    argv = rasa_argv(Settings(rasa_api_token="x" * 24), ["--port", "5005"])
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    assert "--auth-token" not in argv and "--cors" not in argv
    assert "--jwt-secret=" + "x" * 24 in argv
    with pytest.raises(SettingsError):
        rasa_argv(Settings(rasa_api_token="short"), [])
    with pytest.raises(SettingsError):
        rasa_argv(Settings(rasa_api_token="x" * 24), ["--auth-token", "in-argv"])
    opened = rasa_argv(Settings(rasa_api_token="x" * 24, bind_host="10.0.0.5",
                                rasa_cors_origins="https://panel.example.com"), [])
    assert opened[opened.index("--interface") + 1] == "10.0.0.5"
    assert opened[opened.index("--cors") + 1] == "https://panel.example.com"


def test_inflated_bodies_are_measured_without_inflating_them_whole():
    import zlib

    small = zlib.compress(json.dumps({"next_action": "x"}).encode())
    assert inflated_size_ok(small)
    assert not inflated_size_ok(zlib.compress(b" " * 2000), limit=1000)
