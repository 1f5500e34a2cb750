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


def test_llm_answers_are_off_by_default():
    settings = Settings.from_env({})
    assert not settings.llm_enabled
    assert (settings.llm_base_url, settings.llm_api_key, settings.llm_model) == (None, None, None)
    assert (settings.llm_timeout_seconds, settings.llm_daily_cap_per_phone,
            settings.llm_daily_cap) == (8, 20, 500)


def test_llm_answers_need_url_key_and_model():
    env = {"LLM_BASE_URL": "https://llm.example/v1/", "LLM_API_KEY": "sk-secret",
           "LLM_MODEL": "modelo-chico", "LLM_TIMEOUT_SECONDS": "5",
           "LLM_DAILY_CAP_PER_PHONE": "3", "LLM_DAILY_CAP": "50"}
    settings = Settings.from_env(env)
    assert settings.llm_enabled and settings.llm_base_url == "https://llm.example/v1"
    assert (settings.llm_api_key, settings.llm_model) == ("sk-secret", "modelo-chico")
    assert (settings.llm_timeout_seconds, settings.llm_daily_cap_per_phone,
            settings.llm_daily_cap) == (5, 3, 50)
    assert "sk-secret" not in repr(settings)  # the key is never printed
    for missing in ("LLM_BASE_URL", "LLM_API_KEY", "LLM_MODEL"):
        assert not Settings.from_env({k: v for k, v in env.items() if k != missing}).llm_enabled


def test_the_openai_key_is_the_fallback():
    env = {"LLM_BASE_URL": "https://api.openai.com/v1", "LLM_MODEL": "m", "OPENAI_API_KEY": "sk-o"}
    assert Settings.from_env(env).llm_api_key == "sk-o" and Settings.from_env(env).llm_enabled
    assert Settings.from_env({**env, "LLM_API_KEY": "sk-l"}).llm_api_key == "sk-l"


@pytest.mark.parametrize("name", [
    "LLM_TIMEOUT_SECONDS", "LLM_DAILY_CAP_PER_PHONE", "LLM_DAILY_CAP",
])
def test_unusable_llm_limits_are_refused_by_name(name):
    for value in ("0", "ocho"):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})


@pytest.mark.parametrize("raw, expected", [
    (None, {"booked", "rescheduled", "cancelled"}), ("", {"booked", "rescheduled", "cancelled"}),
    ("none", set()), (" NONE ", set()), ("cancelled", {"cancelled"}),
    ("booked, Cancelled,", {"booked", "cancelled"}),
])
def test_business_notify_names_the_changes_the_business_hears_of(raw, expected):
    env = {} if raw is None else {"BUSINESS_NOTIFY": raw}
    assert Settings.from_env(env).business_notify == frozenset(expected)


def test_an_unknown_business_notice_is_refused():
    with pytest.raises(SettingsError, match="BUSINESS_NOTIFY: unknown booking, moved"):
        Settings.from_env({"BUSINESS_NOTIFY": "booking,moved,cancelled"})
