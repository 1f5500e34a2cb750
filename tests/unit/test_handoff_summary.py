"""What the agent reads about a handed-over conversation, from Rasa tracker events."""
from appointments.services import handoff_summary as summary


def user(text, intent="inform", metadata=None, at=1764086400.0):
    return {"event": "user", "text": text, "timestamp": at, "metadata": metadata or {},
            "parse_data": {"intent": {"name": intent}}}


def bot(text, at=1764086401.0):
    return {"event": "bot", "text": text, "timestamp": at}


def loop(name):
    return {"event": "active_loop", "name": name}


def test_goal_is_the_last_form_of_the_session():
    events = [loop("cancellation_form"), {"event": "session_started"},
              loop("booking_form"), loop(None), user("agente", "human_handoff")]
    assert summary.goal(events) == "crear una cita"
    assert summary.goal([{"event": "session_started"}, user("hola", "greet")]) is None


def test_transcript_keeps_the_last_messages_of_the_session_in_order():
    events = [user("viejo"), {"event": "session_started"}]
    events += [user(f"mensaje {i}") if i % 2 else bot(f"respuesta {i}") for i in range(30)]
    lines = summary.transcript(events, limit=4)
    assert [line["text"] for line in lines] == [
        "respuesta 26", "mensaje 27", "respuesta 28", "mensaje 29"]
    assert lines[1]["author"] == "user" and lines[1]["at"].startswith("2025-11-25T16:00")


def test_transcript_skips_empty_texts():
    assert summary.transcript([user(""), bot("  "), user("hola")]) == [
        {"author": "user", "text": "hola", "at": "2025-11-25T16:00:00+00:00"}]


def test_profile_name_comes_from_the_last_message_metadata():
    events = [user("hola", metadata={"ProfileName": "Ana"}), bot("¡Hola!"), user("4")]
    assert summary.profile_name(events) is None
    events.append(user("agente", metadata={"ProfileName": "Ana López"}))
    assert summary.profile_name(events) == "Ana López"


def test_consecutive_misses_count_only_the_latest_run():
    events = [user("asdf", "nlu_fallback"), user("hola", "greet"),
              user("qwer", "nlu_fallback"), bot("Perdón, no te entendí"),
              user("¿cuál es la capital de Francia?", "out_of_scope")]
    assert summary.consecutive_misses(events) == 2
    assert summary.consecutive_misses([user("hola", "greet")]) == 0
