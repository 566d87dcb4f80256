"""Issue 11 item 4: a bidi control in a name cannot reverse the home page's change line (reports/site.py)."""

from __future__ import annotations

from datetime import date

from reports.site import Site, home_page

SPOOF = "abc\u202efdp.exe"


def home_with_a_change(name: str) -> str:
    """The home page of a site whose only content is one open 第十七条 change, A级→D级."""
    change = {
        "date_iso": "2026-03-10", "date": "2026年3月10日", "last_day_iso": "2026-03-31", "href": "cycles/2025/c.html",
        "title": "变更公示", "window": "公示期：2026年3月10日至2026年3月31日", "open": True,
        "rows": [{"name": name, "institution_id": "91140500MA0000001X", "before": "A级", "after": "D级"}],
    }
    site = Site(as_of=date(2026, 3, 15), bureau={"bureau": "晋城市生态环境局"}, rules=None,  # type: ignore[arg-type]
                nav=[], changes=[change])
    home_page(site, {"cycles": [], "files": []})
    return site.files["index.html"].decode("utf-8")


def test_a_bidi_override_in_a_name_does_not_reverse_the_change_line(browser, tmp_path) -> None:
    page_file = tmp_path / "index.html"
    page_file.write_text(home_with_a_change(SPOOF), encoding="utf-8")
    assert "\u202e" not in page_file.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 2400, "height": 900})  # the line on one line: left is order
    page.goto(page_file.as_uri())
    page.add_style_tag(content="main, body { max-width: none !important; } li.change-link { white-space: nowrap; }")
    line = page.locator("li.change-link").inner_text()
    # What the reader sees, in visual order, measured left to right: the grade change stays A级→D级.
    boxes = page.evaluate("""() => {
        const li = document.querySelector('li.change-link');
        const range = document.createRange();
        const found = [];
        const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            for (const mark of ['A级', 'D级', '91140500MA0000001X']) {
                const at = n.data.indexOf(mark);
                if (at >= 0) { range.setStart(n, at); range.setEnd(n, at + mark.length);
                               found.push([mark, range.getBoundingClientRect().left]); }
            }
        }
        return Object.fromEntries(found);
    }""")
    page.close()
    assert "abcfdp.exe（91140500MA0000001X）A级→D级" in line
    assert boxes["A级"] < boxes["D级"]
    assert boxes["91140500MA0000001X"] < boxes["A级"]
