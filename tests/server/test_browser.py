"""The chat page in a real Chromium: ask, read the cited answer, add an article through the page, and
make sure hostile article text stays text; all of it under the server's Content-Security-Policy, which
must not refuse anything the pages do, and a signed-in browser's session refused to another origin's page.
Screenshots go to artifacts/screenshots/ for a human to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from live_server import live_server
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from qa.index import Index
from qa.ingest import load_articles
from qa.server import create_app
from qa.types import Article

pytestmark = [pytest.mark.browser, pytest.mark.minilm]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "data" / "sample"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
TOKEN = "correct horse battery staple"
SECONDS = 1000  # Playwright counts milliseconds

# Each payload, if it ever ran, would leave a mark on window.__pwned or document.title.
HOSTILE = Article(
    id="hostile",
    title='Zebra crossing <img src=x onerror="window.__pwned=1;document.title=\'pwned\'">',
    text=(
        "Volunteers repainted the zebra crossing on Elm Street in bright white stripes. "
        "<script>window.__pwned = 2; document.title = 'pwned'</script> "
        'Residents said the <img src=x onerror="window.__pwned=3"> stripes look brighter now. '
        "${window.__pwned = 4} {{constructor.constructor('window.__pwned=5')()}}"
    ),
    source='<b onmouseover="window.__pwned=6">Street News</b>',
    url="javascript:window.__pwned=7",
    published="2022-02-02",
)


@pytest.fixture(scope="module")
def index(tmp_path_factory, minilm) -> Iterator[Index]:
    with Index.open(tmp_path_factory.mktemp("browser") / "index", embedder=minilm, create=True) as opened:
        report = opened.add([*load_articles(SAMPLE_DIR), HOSTILE])
        assert report.added == 2 and not report.failed
        yield opened


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def url(index) -> Iterator[str]:
    with live_server(create_app(index)) as base:
        yield base


@pytest.fixture()
def page(browser, url):
    context = watched_context(browser)
    opened = context.new_page()
    opened.goto(url)
    opened.wait_for_selector("#qa-question textarea", timeout=60 * SECONDS)
    yield opened
    assert_no_policy_violation(context)
    context.close()


def watched_context(browser):
    """A browser context whose pages record every Content-Security-Policy violation (see the next)."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    context.violations = []
    context.on(
        "console", lambda message: "Content Security Policy" in message.text and context.violations.append(message.text)
    )
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', event => console.error("
        "'Content Security Policy violation:', event.violatedDirective, event.blockedURI))"
    )
    return context


def assert_no_policy_violation(context) -> None:
    assert context.violations == [], "\n".join(context.violations)


def ask(page, question: str):
    """Type a question, send it, and return the locator of the reply it gets."""
    before = page.locator(".qa-reply").count()
    page.fill("#qa-question textarea", question)
    page.press("#qa-question textarea", "Enter")
    page.wait_for_function(  # the finished reply (a draft shows while the answer is written)
        "count => document.querySelectorAll('.qa-reply').length > count", arg=before, timeout=60 * SECONDS
    )
    # The finished answer brings the Sources tab to the front in the same update.
    page.wait_for_selector("[role=tab][aria-selected=true]:has-text('Sources')", timeout=10 * SECONDS)
    return page.locator(".qa-reply").last


def open_upload_tab(page) -> None:
    page.get_by_role("tab", name="Add articles").click()
    page.wait_for_selector("#qa-upload", state="visible", timeout=10 * SECONDS)


def screenshot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_first_page_shows_example_questions_and_what_the_index_holds(page):
    page.wait_for_function("document.querySelector('#qa-facts')?.innerText.includes('articles')")
    facts = page.locator("#qa-facts").inner_text()
    assert "2 articles" in facts and "chunks" in facts and "all-MiniLM-L6-v2" in facts
    example = page.get_by_role("button", name="What did Blinken say about Article 5?")
    assert example.is_visible()
    screenshot(page, "first-load")
    example.click()
    page.wait_for_selector(".qa-reply", timeout=60 * SECONDS)
    assert "Article 5" in page.locator(".qa-reply").last.inner_text()


def test_asking_about_article_5_shows_the_quote_with_a_numbered_cited_source(page):
    reply = ask(page, "What did Blinken say about Article 5?")
    text = reply.inner_text()
    assert "Our Article 5 commitment extends to NATO allies" in text
    assert "[1]" in text
    source = reply.locator(".qa-citation").first
    assert "Blinken and Lavrov plan more talks" in source.inner_text()
    assert "Washington Examiner · 21 Jan 2022" in source.inner_text()
    assert "Our Article 5 commitment extends to NATO allies" in source.locator("mark").inner_text()
    panel = page.locator("#qa-sources")
    assert panel.locator(".qa-hit").count() >= 1
    assert panel.locator(".qa-score").first.inner_text().strip()
    assert panel.locator(".qa-hit.qa-cited mark").count() >= 1
    screenshot(page, "answer-article-5")


def test_an_article_uploaded_through_the_page_can_be_asked_about(page, tmp_path):
    story = tmp_path / "reindeer.md"
    story.write_text(
        "---\nsource: Arctic Courier\npublished: 2022-02-10\n---\n"
        "# Reindeer herders fit GPS collars\n\n"
        "Reindeer herders in northern Norway began fitting their animals with GPS collars this winter, "
        "so that lost herds can be found from a phone. The herders said the collars last a whole season.\n",
        encoding="utf-8",
    )
    open_upload_tab(page)
    page.locator("#qa-upload input[type=file]").set_input_files(str(story))
    page.wait_for_selector("#qa-upload :text('reindeer.md')", timeout=30 * SECONDS)
    page.click("#qa-add")
    page.wait_for_selector("#qa-report :text('Added')", timeout=60 * SECONDS)
    report = page.locator("#qa-report").inner_text()
    assert "Added 1" in report and "failed 0" in report
    page.wait_for_function("document.querySelector('#qa-facts').innerText.includes('3 articles')")
    screenshot(page, "upload-report")

    reply = ask(page, "What are reindeer herders fitting their animals with?")
    assert "Reindeer herders fit GPS collars" in reply.locator(".qa-citation").first.inner_text()
    assert "GPS collars" in reply.locator(".qa-answer").inner_text()
    screenshot(page, "answer-uploaded-article")


def test_hostile_article_text_and_file_names_are_shown_as_plain_text(page, tmp_path):
    reply = ask(page, "Who repainted the zebra crossing on Elm Street?")
    shown = reply.inner_text() + page.locator("#qa-sources").inner_text()
    assert "<script>window.__pwned = 2;" in shown
    assert '<img src=x onerror="window.__pwned=1' in shown
    assert '<b onmouseover="window.__pwned=6">Street News</b>' in shown

    hostile_name = tmp_path / '<img src=x onerror="window.__pwned=8">.txt'
    hostile_name.write_bytes(b"\x00binary")
    open_upload_tab(page)
    page.locator("#qa-upload input[type=file]").set_input_files(str(hostile_name))
    page.wait_for_selector("#qa-upload :text('.txt')", timeout=30 * SECONDS)
    page.click("#qa-add")
    page.wait_for_selector("#qa-report :text('binary file')", timeout=60 * SECONDS)
    # Gradio already drops the angle brackets from upload names; what is left is shown as text.
    assert "img src=x onerror=" in page.locator("#qa-report").inner_text()

    page.wait_for_timeout(500)  # give any injected handler its chance to fire
    assert page.evaluate("window.__pwned") is None
    assert page.title() == "Article QA"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    screenshot(page, "hostile-article-escaped")


def sign_in(context, base: str):
    page = context.new_page()
    page.goto(base)
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector("#qa-question textarea", timeout=60 * SECONDS)
    return page


def test_with_a_token_the_page_asks_to_sign_in_and_then_works(browser, index, tmp_path):
    with live_server(create_app(index, auth_token=TOKEN)) as base:
        context = watched_context(browser)
        page = context.new_page()
        page.goto(base)
        assert page.locator("input[name=token]").is_visible()
        screenshot(page, "sign-in")
        page.fill("input[name=token]", "wrong")
        page.click("button[type=submit]")
        assert "not right" in page.inner_text("body")
        page = sign_in(context, base)
        reply = ask(page, "What did Blinken say about Article 5?")
        assert "Article 5" in reply.inner_text()
        # The page's own uploads are POSTs on the session cookie: same origin, so they pass the check.
        story = tmp_path / "otters.txt"
        story.write_text("Otters return to the river\n\nOtters were seen in the river again this spring.\n")
        open_upload_tab(page)
        page.locator("#qa-upload input[type=file]").set_input_files(str(story))
        page.wait_for_selector("#qa-upload :text('otters.txt')", timeout=30 * SECONDS)
        page.click("#qa-add")
        page.wait_for_selector("#qa-report :text('Added')", timeout=60 * SECONDS)
        assert_no_policy_violation(context)
        context.close()


def test_the_filters_work_under_the_policy(page):
    page.get_by_label("Outlet").click()
    page.get_by_role("option", name="Washington Examiner").click()
    page.locator("#qa-filters input").nth(1).fill("2022-01-01")  # From
    page.locator("#qa-filters input[type=number]").fill("3")  # Passages
    page.locator("#qa-filters input[type=number]").press("Enter")
    reply = ask(page, "What did Blinken say about Article 5?")
    assert "Washington Examiner" in reply.inner_text()
    hits = page.locator("#qa-sources .qa-hit")
    assert 1 <= hits.count() <= 3
    assert all("Washington Examiner" in hits.nth(n).inner_text() for n in range(hits.count()))


def test_another_origins_page_cannot_post_with_the_signed_in_session(browser, index):
    """SameSite=Strict does not keep the cookie off a page on another port of the same host (the same
    site), so the server's own same-origin check is what refuses its form."""
    with live_server(create_app(index, auth_token=TOKEN)) as base:
        attacker = Starlette(routes=[Route("/", lambda request: HTMLResponse(
            f'<form method="post" action="{base}/api/ask"><button id="ask">ask</button></form>'
        ))])
        with live_server(attacker) as elsewhere:
            assert elsewhere != base
            context = watched_context(browser)
            sign_in(context, base)
            page = context.new_page()
            page.goto(elsewhere)
            with page.expect_response(f"{base}/api/ask") as sent:
                page.click("#ask")
            assert sent.value.request.header_value("cookie"), "the cookie went along: the check is what refuses"
            assert sent.value.status == 403
            assert "refused" in page.inner_text("body")
            context.close()


def test_the_api_docs_page_renders_its_operations_without_internet(browser, url):
    context = watched_context(browser)
    page = context.new_page()
    page.route(lambda target: not target.startswith(url), lambda route: route.abort())  # no other host
    page.goto(f"{url}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30 * SECONDS)
    assert page.locator(".swagger-ui .opblock").count() >= 6
    assert "/search" in page.inner_text(".swagger-ui")
    page.locator(".opblock-summary", has_text="/search").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.fill("input[placeholder='q']", "Article 5")
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".responses-wrapper .response .microlight", timeout=30 * SECONDS)
    screenshot(page, "api-docs")
    assert_no_policy_violation(context)
    context.close()
