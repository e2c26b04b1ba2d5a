"""The widget's own behaviour in headless Chromium, with no assistant behind it (slow: a browser).

The page and the widget's files are served by Playwright from api/static/ (no server,
no network); data-server points to a closed local port, so the widget is offline.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from typing import Any

import pytest

from api.routes.widget import STATIC_DIR
from tests.api.browser import CHROMIUM, chromium
from tests.ports import free_port

pytestmark = pytest.mark.slow

SITE = "http://sito-azienda.test"
WAIT_MS = 15_000

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def _host_page(attributes: str) -> str:
    return f"""<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Azienda</title>
<style>div {{ display: none; color: red; }} button {{ background: red; }}</style></head>
<body><h1>Il sito dell'azienda</h1><a href="#">Un link della pagina</a>
<script src="{SITE}/static/widget/sportello-widget.js" {attributes} defer></script></body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium assente: installalo con `apt-get install chromium`")
    with chromium() as browser:
        yield browser


@pytest.fixture
def open_site(browser: Any) -> Iterator[Any]:
    """open_site('data-… attributes') -> a page of the employer's site with the widget."""
    contexts: list[Any] = []

    def serve(route: Any) -> None:
        path = route.request.url.removeprefix(SITE).split("?")[0]
        if path.startswith("/static/"):
            file = (STATIC_DIR / path.removeprefix("/static/")).resolve()
            if STATIC_DIR in file.parents and file.is_file():
                content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                headers = {"Content-Type": f"{content_type}; charset=utf-8", "Access-Control-Allow-Origin": "*"}
                route.fulfill(status=200, body=file.read_bytes(), headers=headers)
                return
        route.fulfill(status=404, body="")

    def make(attributes: str = "", viewport: tuple[int, int] = (1280, 800)) -> Any:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        page = context.new_page()
        page.route(f"{SITE}/static/**", serve)
        server = f"http://127.0.0.1:{free_port()}"
        page.route(
            f"{SITE}/",
            lambda route: route.fulfill(
                status=200,
                body=_host_page(f'data-server="{server}" {attributes}'),
                headers={"Content-Type": "text/html; charset=utf-8"},
            ),
        )
        page.goto(f"{SITE}/")
        expect(page.locator(".sw-launcher")).to_be_visible(timeout=WAIT_MS)
        return page

    yield make
    for context in contexts:
        context.close()


def _render(page: Any, markdown: str) -> Any:
    """Render with the widget's markdown.js; returns a summary of the resulting DOM."""
    return page.evaluate(
        """async ([url, text]) => {
            const { render } = await import(url);
            const box = document.createElement('section');
            box.append(...render(document, text, { newTabLabel: '(nuova scheda)' }));
            return {
                text: box.textContent,
                tags: [...box.querySelectorAll('*')].map((el) => el.tagName.toLowerCase()),
                links: [...box.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.target, a.rel]),
                items: [...box.querySelectorAll('li')].map((li) => li.textContent),
            };
        }""",
        [f"{SITE}/static/widget/markdown.js", markdown],
    )


def test_markdown_bold_lists_and_links(open_site: Any) -> None:
    page = open_site()
    out = _render(
        page, "Intro con **grassetto**:\n\n- uno;\n\n- due, vedi [la guida](https://www.inps.it/guida)\n\nFine."
    )
    assert out["tags"] == ["p", "strong", "ul", "li", "li", "a", "span", "p"]
    assert out["items"] == ["uno;", "due, vedi la guida (nuova scheda)"]
    assert out["links"] == [["https://www.inps.it/guida", "_blank", "noopener noreferrer"]]


@pytest.mark.parametrize(
    "hostile",
    [
        '<img src=x onerror="window.pwned=1">',
        "<script>window.pwned=1</script>",
        '**<b onmouseover="window.pwned=1">x</b>**',
        "[clicca](javascript:window.pwned=1)",
        "[clicca](data:text/html,<script>window.pwned=1</script>)",
        '- <iframe src="javascript:window.pwned=1"></iframe>',
    ],
)
def test_markdown_never_turns_text_into_markup(open_site: Any, hostile: str) -> None:
    page = open_site()
    out = _render(page, hostile)
    assert set(out["tags"]) <= {"p", "strong", "ul", "li", "br"}
    assert out["links"] == []
    assert page.evaluate("window.pwned") is None


def test_keyboard_open_escape_and_focus(open_site: Any) -> None:
    page = open_site()
    launcher = page.locator(".sw-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_have_attribute("aria-label", "Apri la chat con lo Sportello Welfare")
    page.keyboard.press("Tab")  # the page's own link
    page.keyboard.press("Tab")  # then the launcher
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator("textarea")).to_be_focused()
    expect(page.locator("[role=dialog]")).to_have_attribute("aria-labelledby", "sw-title")
    page.keyboard.press("Escape")
    expect(page.locator(".sw-panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_the_page_css_does_not_reach_the_widget(open_site: Any) -> None:
    page = open_site()
    expect(page.locator(".sw-launcher")).to_have_css("background-color", "rgb(21, 94, 117)")


def test_settings_from_data_attributes(open_site: Any) -> None:
    page = open_site(
        'data-title="Welfare Rossi S.p.A." data-position="left" data-color="#b91c1c" '
        'data-welcome="Benvenuto nel **welfare** Rossi!" data-privacy-url="/privacy" '
        'data-text-placeholder="Chiedimi pure…"'
    )
    launcher = page.locator(".sw-launcher")
    expect(launcher).to_have_css("background-color", "rgb(185, 28, 28)")
    box = launcher.bounding_box()
    assert box is not None and box["x"] < 100  # bottom left
    launcher.click()
    expect(page.locator("#sw-title")).to_have_text("Welfare Rossi S.p.A.")
    expect(page.locator(".sw-welcome strong")).to_have_text("welfare")
    expect(page.locator("textarea")).to_have_attribute("placeholder", "Chiedimi pure…")
    privacy = page.locator(".sw-footer a")
    expect(privacy).to_have_attribute("href", f"{SITE}/privacy")
    expect(privacy).to_have_attribute("target", "_blank")


def test_offline_the_widget_says_so_and_keeps_what_is_typed(open_site: Any) -> None:
    page = open_site()
    page.locator(".sw-launcher").click()
    expect(page.locator(".sw-status")).to_contain_text("riconnessione", timeout=WAIT_MS)
    page.locator("textarea").fill("un messaggio scritto offline")
    page.keyboard.press("Enter")
    queued = page.locator(".sw-msg.sw-queued")
    expect(queued).to_contain_text("un messaggio scritto offline")
    expect(queued.locator(".sw-note")).to_have_text("Verrà inviato appena torna la connessione")

    page.reload()
    page.locator(".sw-launcher").click()
    expect(page.locator(".sw-msg.sw-queued")).to_contain_text("un messaggio scritto offline")


def test_on_a_phone_the_chat_fills_the_screen(open_site: Any) -> None:
    page = open_site(viewport=(360, 640))
    page.locator(".sw-launcher").click()
    box = page.locator(".sw-panel").bounding_box()
    assert box is not None and (box["width"], box["height"]) == (360, 640)
    expect(page.locator(".sw-launcher")).to_be_hidden()
    page.get_by_role("button", name="Chiudi la chat").click()
    expect(page.locator(".sw-launcher")).to_be_focused()
