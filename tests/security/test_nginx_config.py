"""Finding 12 (and 1, at the edge): nginx passed the client's Host as X-Forwarded-Host
(the URL whose signature is checked), retried only on connection errors (a frozen replica
kept its traffic) and exposed Rasa's whole API and the REST channel. Read from
deploy/nginx.conf (no nginx here to run)."""
from __future__ import annotations

import re

from tests.e2e.servers import ROOT

CONF = (ROOT / "deploy" / "nginx.conf").read_text


def public_server() -> str:
    text = re.sub(r"#[^\n]*", "", CONF())
    blocks = re.split(r"\n\s*server\s*\{", text)
    [public] = [block for block in blocks if re.search(r"listen\s+443", block)]
    return public


def test_only_the_webhook_and_a_health_check_are_public():
    locations = re.findall(r"location\s+(=|~)?\s*(\S+)\s*\{([^}]*)\}", public_server())
    proxied = {path for exact, path, body in locations if "proxy_pass" in body}
    helpdesks = r"^/helpdesk/[a-z]+/webhook(/[A-Za-z0-9_.~-]+)?$"  # anchored: nothing else
    assert proxied == {"/whatsapp-reply", "/webhooks/whatsapp/webhook",
                       "/webhooks/whatsapp/status", "/healthz", helpdesks}
    assert all(exact == "=" for exact, path, body in locations if path in proxied - {helpdesks})
    [helpdesk] = [body for exact, path, body in locations if path == helpdesks]
    assert "access_log off" in helpdesk  # a secret may be in the path
    [fallback] = [body for exact, path, body in locations if path == "/"]
    assert "return 404" in fallback


def test_forwarded_host_is_fixed_and_frozen_replicas_are_skipped():
    public = public_server()
    assert re.search(r"X-Forwarded-Host\s+\$server_name;", public)
    assert not re.search(r"X-Forwarded-Host\s+\$host;", public)
    [retry] = re.findall(r"proxy_next_upstream\s+([^;]+);", public)
    assert {"error", "timeout", "http_502", "http_503"} <= set(retry.split())
    assert re.search(r"client_max_body_size\s+64k;", public)
