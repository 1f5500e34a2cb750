"""The conversation suite: every scripted conversation in tests/conversations/*.yml is
played through the real stack and judged by its goal. The run prints the task-success
rate, the perfect-conversation rate and per-turn latency, and writes every failure with
its transcript to results/conversations.txt. It fails below MIN_SUCCESS.

CONVERSATIONS=english.yml,heldout_a plays only those files (default: all of them)."""
from __future__ import annotations

import os
from pathlib import Path

from tests.conversations import runner

MIN_SUCCESS = 0.97
MIN_PER_CLASS = 3
RESULTS = Path(__file__).resolve().parents[2] / "results" / "conversations.txt"


def test_every_failure_class_has_conversations():
    conversations = runner.load()
    for name in runner.CLASSES:
        count = sum(name in c.classes for c in conversations)
        assert count >= MIN_PER_CLASS, f"class {name}: {count} conversations"


def test_conversation_suite(conversation_backend):
    files = runner.selected(os.environ.get("CONVERSATIONS"))
    results = [runner.play(c, conversation_backend) for c in runner.load(files)]
    text = runner.report(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print("\n" + text.split("\nFAILED", 1)[0])
    rate = sum(r.success for r in results) / len(results)
    assert rate >= MIN_SUCCESS, (
        f"task success {rate:.1%} < {MIN_SUCCESS:.0%}; see {RESULTS}\n" + text
    )
