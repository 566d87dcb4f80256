"""The website in headless chromium, built from the sample drop evaluated into a SQLite store (R-15, R-17,
R-18, R-14, R-01, R-20): notice dates, filter by county, search by code, links, no errors, nothing external."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from credit.rules import load_rules
from store.uow import Store
from tasks.site import build_site_folder
from tests.support.site_store import (
    AFTER_REVOCATION,
    DURING_PUBLICITY,
    evaluate_sample_without_prefect,
    personnel,
    set_lifecycle_by_hand,
)

pytestmark = pytest.mark.browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample drop stored, moved through the lifecycle by hand, and the site built on two dates."""
    root = tmp_path_factory.mktemp("site")
    db_url = f"sqlite:///{root / 'credit.db'}"
    evaluate_sample_without_prefect(db_url, root / "var")
    roles = set_lifecycle_by_hand(db_url)
    for day in (DURING_PUBLICITY, AFTER_REVOCATION):
        build_site_folder(root / "www" / day.isoformat(), as_of=day, rules=load_rules(day), store=Store.open(db_url))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "www")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"root": root, "roles": roles, "base": f"http://127.0.0.1:{server.server_address[1]}"}
    server.shutdown()
    server.server_close()


def open_page(browser, url: str, **options):
    context = browser.new_context(**{"viewport": {"width": 1100, "height": 900}, **options})
    page = context.new_page()
    seen = {"errors": [], "hosts": set()}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["hosts"].add(urlsplit(r.url).hostname or urlsplit(r.url).scheme))
    page.goto(url, wait_until="load")
    return context, page, seen


def assert_quiet(seen: dict) -> None:
    assert seen["errors"] == []
    assert seen["hosts"] == {"127.0.0.1"}


def test_R15_home_shows_the_open_publicity_with_its_first_and_last_day(browser, built, artifacts):
    context, page, seen = open_page(browser, f"{built['base']}/{DURING_PUBLICITY.isoformat()}/index.html")
    notice = page.locator(".open-notice")
    assert notice.count() == 1
    assert notice.get_attribute("data-first-day") == "2026-02-02"
    assert notice.get_attribute("data-last-day") == "2026-02-28"
    assert "2026年2月2日至2026年2月28日" in notice.inner_text().replace("\n", "")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.screenshot(path=str(artifacts / "site-home-publicity.png"), full_page=True)
    notice.locator("h3 a").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/cycles/2025/publicity-2026-02-02.html")
    assert page.locator(".window").get_attribute("data-last-day") == "2026-02-28"
    assert_quiet(seen)
    context.close()


def test_R17_R01_cycle_page_filters_by_county_and_searches_a_code(browser, built, artifacts):
    context, page, seen = open_page(browser, f"{built['base']}/{AFTER_REVOCATION.isoformat()}/index.html")
    page.get_by_role("link", name="2025年度社会环境监测机构信用风险等级评价").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/cycles/2025/index.html")
    page.screenshot(path=str(artifacts / "site-cycle.png"), full_page=True)
    rows = page.locator("#results tr.institution")
    total = rows.count()
    assert total > 10
    page.select_option("#f-county", "高平市")
    visible = page.locator("#results tr.institution:visible")
    assert 0 < visible.count() < total
    for i in range(visible.count()):
        assert visible.nth(i).locator("xpath=ancestor::table").get_attribute("data-county") == "高平市"
    page.select_option("#f-county", "")
    code = built["roles"].published[3]
    page.fill("#f-q", code[-6:])
    assert page.locator("#results tr.institution:visible").count() == 1
    assert page.locator("#results tr.institution:visible").get_attribute("data-institution-id") == code
    assert "1家" in page.locator("#f-status").inner_text()
    page.fill("#f-q", "")
    page.select_option("#f-grade", "D")
    revoked = page.locator(f'#results tr[data-institution-id="{built["roles"].revoked}"]')
    assert revoked.is_visible() and "第十七条第（四）项" in revoked.inner_text()
    assert page.locator("svg[role=img] title").first.text_content().endswith("信用风险等级分布")
    assert_quiet(seen)
    context.close()


def test_the_cycle_page_works_with_javascript_off_every_row_shown(browser, built):
    url = f"{built['base']}/{AFTER_REVOCATION.isoformat()}/cycles/2025/index.html"
    context, page, seen = open_page(browser, url, java_script_enabled=False)
    assert page.locator("#filter").is_hidden()
    rows = page.locator("#results tr.institution")
    assert rows.count() > 10 and all(rows.nth(i).is_visible() for i in range(rows.count()))
    assert_quiet(seen)
    context.close()


def test_every_link_of_the_site_leads_to_a_page_and_nothing_outside_is_requested(browser, built):
    base = f"{built['base']}/{AFTER_REVOCATION.isoformat()}/"
    context, page, seen = open_page(browser, base + "index.html")
    todo, done = ["index.html"], set()
    while todo:
        path = todo.pop()
        if path in done:
            continue
        done.add(path)
        if not path.endswith(".html"):  # open data: fetched, not opened (a browser downloads it)
            assert page.request.get(base + path).ok, path
            continue
        response = page.goto(base + path, wait_until="load")
        assert response is not None and response.ok, path
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            assert parts.hostname == "127.0.0.1", f"{path} links outside: {href}"
            if parts.path.startswith(urlsplit(base).path):
                todo.append(parts.path.removeprefix(urlsplit(base).path))
    assert {"cycles/2025/results.html", "cycles/2025/a-list.html", "cycles/2025/change-2026-04-01.html",
            "data/index.html", "data/manifest.json"} <= done
    assert_quiet(seen)
    context.close()


def test_the_home_page_on_a_phone(browser, built, artifacts):
    url = f"{built['base']}/{AFTER_REVOCATION.isoformat()}/index.html"
    context, page, seen = open_page(browser, url, viewport={"width": 390, "height": 844}, device_scale_factor=2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(artifacts / "site-home-phone.png"), full_page=True)
    assert_quiet(seen)
    context.close()


def test_no_generated_file_holds_a_name_or_person_id_of_the_personnel_table(built):
    names, ids = personnel()
    files = [p for p in (built["root"] / "www").rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        content = path.read_text(encoding="utf-8")
        assert not [n for n in names if n in content], path
        assert not [i for i in ids if i in content], path
