"""Every page type on a 375 px phone, and a redline printed to PDF (issue 7)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.site_pages import PAGE_TYPES, url_of, visit

pytestmark = pytest.mark.browser

PHONE = 375


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_horizontal_scrolling_on_a_phone(browser, request, screenshots: Path,
                                            name: str) -> None:
    with visit(browser, url_of(request, name), width=PHONE, height=812) as page:
        page.screenshot(path=str(screenshots / f"{name}-mobile.png"))
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(f"""() => [...document.querySelectorAll("article *")]
            .filter(el => el.getBoundingClientRect().right > {PHONE} + 1
                          && !el.closest(".md-typeset__scrollwrap"))
            .slice(0, 5).map(el => el.tagName + "." + el.className)""")
        assert width <= PHONE, wide


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def test_a_printed_redline(browser, site_pages) -> None:
    """On paper: insertions and deletions say so in words, the whole text, link addresses,
    and none of the screen's navigation."""
    pdf = ARTIFACTS / "redline.pdf"
    with visit(browser, site_pages["redline"], media="print") as page:
        # underlined and struck through in print too (the tints are dropped)
        styles = page.eval_on_selector_all(
            ".redline-view--inline :is(ins, del)",
            "els => els.map(e => e.tagName + ' ' + getComputedStyle(e).textDecorationLine)")
        assert set(styles) == {"INS underline", "DEL line-through"}, set(styles)
        page.pdf(path=str(pdf), format="A4", print_background=True)
    text = pdf_text(pdf)
    assert "What changed in Privacy Policy" in text
    # the sample's newest change: 90 → 30 days of server logs, and a new section
    assert "[deleted: 90 ]" in text and "[inserted: 30 ]" in text, text[:2000]
    assert "[inserted: Your rights]" in text
    # the changes with the text around them; what is folded, as a line saying so
    assert "We keep your account information for as long as your account is open" in text
    assert re.search(r"\d+ unchanged blocks: read them in the full version", text), text[:3000]
    # a link's address is printed after it
    assert "(https://www.example.com/contact/)" in text
    for chrome in ["Skip to content", "Search", "Switch to dark mode", "Side by side",
                   "Changes only", "Show all", "Version history",
                   "Made with", "Table of contents"]:
        assert chrome not in text, chrome
    if shutil.which("pdftoppm"):  # poppler-utils: a picture of the first page to look at
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(ARTIFACTS / "redline-print")], check=True)
        assert (ARTIFACTS / "redline-print.png").stat().st_size > 0
