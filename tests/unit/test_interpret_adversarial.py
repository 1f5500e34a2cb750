"""Every reader of user text runs in linear time: 10,000-character adversarial inputs
through all of them take well under a second in total (more in tests/security/test_redos.py)."""
import time
from datetime import date

from appointments.interpret import date_text
from appointments.interpret.choices import Option, read_choice, wants_first
from appointments.interpret.intent_hints import hinted_intent
from appointments.interpret.menu import button_payload, menu_choice
from appointments.interpret.replies import read_interjection, wants_assistant
from appointments.interpret.text import normalize
from appointments.interpret.yes_no import read_yes_no
from appointments.rasa.nlu.duckling_guard import guard

N = 10_000
ADVERSARIAL = [
    "a" * N, "1" * N, " " * N, "1:" * (N // 2), "la " * (N // 3), "de la " * (N // 6),
    "viernes " * (N // 8), "viernes 1" * (N // 9), "el 1/" * (N // 5), "dentro de " * (N // 10),
    "mañana en la " * (N // 13), "no " * (N // 3), "si, " * (N // 4), "ñ" * N, "😀" * N,
    "a las 5 " * (N // 8), "K8P-" * (N // 4), "#" * N, "?" * N, "medio " * (N // 6),
    "17 h" * (N // 4), "dic " * (N // 4), "m" * N + "!",
]
OPTIONS = [Option("K8P-8RH", date(2026, 12, 3), None, "K8P-8RH"), Option("2026-12-04", date(2026, 12, 4))]
BUTTONS = [{"title": "Sí, confirmar", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_every_reader_is_linear_on_adversarial_input():
    started = time.perf_counter()
    for text in ADVERSARIAL:
        normalize(text, limit=N)
        read_choice(text, OPTIONS)
        wants_first(text)
        read_yes_no(text)
        read_interjection(text)
        wants_assistant(text)
        menu_choice(text, {"1": "x"})
        button_payload(text, BUTTONS)
        rewritten, index_map = date_text.rewrite(text, date(2026, 11, 30))
        assert len(index_map) == len(rewritten) + 1
        assert len(guard(text)) == len(text)
        hinted_intent(text, "greet", True)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"{elapsed:.2f} s"
