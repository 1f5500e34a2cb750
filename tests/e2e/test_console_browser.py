"""The agent console in a real browser (Debian's headless Chromium driven by Playwright),
on a phone-sized screen, against the real stack: read a case, reply, give it back."""
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.agents import BACK, case_webhook
from tests.e2e.twilio_client import converse, post

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_page(stack):
    if not shutil.which(CHROMIUM):
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(
            http_credentials={"username": "Laura", "password": stack.console_token},
            viewport={"width": 390, "height": 844}, is_mobile=True, locale="es-MX",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_an_agent_answers_and_gives_the_conversation_back(stack, phone, browser_page):
    converse(stack, phone, "hola", 0)
    converse(stack, phone, "quiero hablar con una persona", 2)
    case_id = case_webhook(stack, phone)["case_id"]
    post(stack, phone, "Necesito cambiar la cita de mi mamá <b>urgente</b>")

    page = browser_page
    page.goto(stack.console_url + "/agent/")
    page.locator(f"#cases a.case[href='/agent/cases/{case_id}']").click()
    expect(page.locator("#transcript .message.user").last).to_contain_text(
        "Necesito cambiar la cita de mi mamá <b>urgente</b>"  # shown as text, not markup
    )
    expect(page.locator("#transcript .message.bot").first).to_be_visible()

    reply = "¡Claro! ¿Para qué día la quieres? 📅"
    page.locator("textarea[name=text]").fill(reply)
    page.locator("button#send").click()
    expect(page.locator(".notice")).to_be_visible()
    assert stack.twilio.wait_for(phone, 5)[4] == reply
    expect(page.locator("#transcript .message.agent").last).to_contain_text("¿Para qué día")

    page.locator("button#resume").click()
    expect(page).to_have_url(f"{stack.console_url}/agent/?aviso=devuelto&caso={case_id}")
    expect(page.locator(f"#cases a.case[href='/agent/cases/{case_id}']")).to_have_count(0)
    assert BACK in stack.twilio.wait_for(phone, 6)[5]
    assert stack.tracker(phone)["paused"] is False
    assert converse(stack, phone, "hola", 6)[0].startswith("¡Hola")
