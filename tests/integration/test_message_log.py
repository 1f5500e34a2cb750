"""The message log keeps every message, whatever it contains (SQLite and PostgreSQL)."""
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.message_log import INBOUND, SqlMessageLog


def test_a_message_with_nul_and_odd_unicode_is_kept(database_url):
    engine = create_database_engine(database_url)
    create_schema(engine)
    log = SqlMessageLog(engine)
    phone = "whatsapp:+5215500000777"
    body = "hola\x00 ¡mañana! 🙂 \u202eRTL"
    log.record(direction=INBOUND, phone=phone, body=body, status="received", message_sid="SM\x00x")
    [row] = [m for m in log.conversation(phone)]
    engine.dispose()
    assert row["body"] == "hola\ufffd ¡mañana! 🙂 \u202eRTL"
