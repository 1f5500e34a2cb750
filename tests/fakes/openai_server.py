"""A local stand-in for an OpenAI-compatible chat API: POST /v1/chat/completions.

A real HTTP server on 127.0.0.1 (a free port, a thread), answering in the shape of
OpenAI's chat.completion object and recording every request (path, headers, JSON body).
What it does is scripted: `then_reply`, `then_delay`, `then_fail` and `then_malformed`
queue one behaviour each for the next requests; when the queue is empty it replies with
`default` (a text, or a function of the request's JSON). Use it as a context manager,
as the `openai_server` fixture, or by hand (`FakeOpenAi()` ... `stop()`) from bench scripts:

    with FakeOpenAi(default="Abrimos a las 9:00.") as server:
        model = OpenAiCompatibleModel(server.url, "sk-test", "fake-model", 2)
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Union

import pytest

Reply = Union[str, Callable[[Dict[str, Any]], str]]


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: Dict[str, str]  # names in lower case
    body: Any  # the parsed JSON (None when it was not JSON)


@dataclass(frozen=True)
class Behaviour:
    text: Optional[Reply] = None  # None: the default
    delay_seconds: float = 0.0
    status: int = 200
    malformed: bool = False


def completion(text: str, model: str, number: int) -> Dict[str, Any]:
    """A chat.completion object as OpenAI returns it."""
    return {
        "id": f"chatcmpl-fake{number:06d}", "object": "chat.completion",
        "created": int(time.time()), "model": model, "system_fingerprint": None,
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": text, "refusal": None}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": len(text.split()),
                  "total_tokens": 100 + len(text.split())},
    }


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True  # a delayed answer never holds up stop()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is part of the script


class FakeOpenAi:
    def __init__(self, default: Reply = "Respuesta de prueba.") -> None:
        self.default = default
        self.requests: List[Recorded] = []
        self._script: List[Behaviour] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._numbers = itertools.count(1)
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    # --- scripting -------------------------------------------------------------------

    def then_reply(self, text: Reply) -> "FakeOpenAi":
        return self._queue(Behaviour(text=text))

    def then_delay(self, seconds: float, text: Optional[Reply] = None) -> "FakeOpenAi":
        return self._queue(Behaviour(text=text, delay_seconds=seconds))

    def then_fail(self, status: int = 500) -> "FakeOpenAi":
        return self._queue(Behaviour(status=status))

    def then_malformed(self) -> "FakeOpenAi":
        return self._queue(Behaviour(malformed=True))

    def _queue(self, behaviour: Behaviour) -> "FakeOpenAi":
        with self._lock:
            self._script.append(behaviour)
        return self

    def _next(self) -> Behaviour:
        with self._lock:
            return self._script.pop(0) if self._script else Behaviour()

    # --- serving ---------------------------------------------------------------------

    def _handler(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real APIs
            # One write per answer, sent at once: headers and body in two small writes
            # meet the client's delayed ACK and cost ~40 ms a request (Nagle).
            wbufsize = -1
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                with fake._lock:
                    fake.requests.append(Recorded(
                        self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found",
                                                      "type": "invalid_request_error"}})
                behaviour = fake._next()
                if behaviour.delay_seconds and fake._stopping.wait(behaviour.delay_seconds):
                    return
                if behaviour.status != 200:
                    return self._send(behaviour.status, {"error": {
                        "message": "fake failure", "type": "server_error", "code": None}})
                if behaviour.malformed:
                    return self._send(200, b'{"id": "chatcmpl-broken", "choices": [')
                reply = behaviour.text if behaviour.text is not None else fake.default
                text = reply(body or {}) if callable(reply) else reply
                model = (body or {}).get("model", "fake-model")
                self._send(200, completion(text, model, next(fake._numbers)))

            def _send(self, status: int, payload: Union[bytes, Dict[str, Any]]) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (its timeout) and closed
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def chat_requests(self) -> List[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path.rstrip("/") == "/v1/chat/completions"]

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeOpenAi":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


@pytest.fixture
def openai_server():
    """A FakeOpenAi for one test (import this fixture by name into the test module)."""
    with FakeOpenAi() as server:
        yield server
