"""Settings for scaling and reliability, read from the environment in one place."""
import pytest

from appointments.settings import Settings, SettingsError


def test_defaults_without_environment():
    settings = Settings.from_env({})
    assert settings.redis_key_prefix == "citas"
    assert (settings.whatsapp_rate_limit, settings.whatsapp_rate_window_seconds) == (20, 60)
    assert settings.rabbitmq_url is None and settings.rabbitmq_queue == "citas_events"


def test_values_from_environment():
    settings = Settings.from_env({
        "REDIS_KEY_PREFIX": "salon2", "WHATSAPP_RATE_LIMIT": "0",
        "WHATSAPP_RATE_WINDOW_SECONDS": "30", "RABBITMQ_URL": "amqp://u:p@mq:5672/%2F",
        "RABBITMQ_QUEUE": "eventos",
    })
    assert settings.redis_key_prefix == "salon2"
    assert (settings.whatsapp_rate_limit, settings.whatsapp_rate_window_seconds) == (0, 30)
    assert (settings.rabbitmq_url, settings.rabbitmq_queue) == ("amqp://u:p@mq:5672/%2F", "eventos")


@pytest.mark.parametrize("env, name", [
    ({"REDIS_KEY_PREFIX": "citas:prod"}, "REDIS_KEY_PREFIX"),
    ({"WHATSAPP_RATE_LIMIT": "-1"}, "WHATSAPP_RATE_LIMIT"),
    ({"WHATSAPP_RATE_WINDOW_SECONDS": "0"}, "WHATSAPP_RATE_WINDOW_SECONDS"),
    ({"WHATSAPP_RATE_LIMIT": "veinte"}, "WHATSAPP_RATE_LIMIT"),
])
def test_unusable_values_are_refused_by_name(env, name):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env)
