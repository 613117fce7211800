"""The browser layer works end to end: public page, sign-in, a real form, keyboard access."""

from __future__ import annotations

from playwright.sync_api import expect

WHAT_IF_PATH = "/admin/escalation/codeversion/what-if/"


def test_home_page_renders_with_a_heading_and_no_serious_accessibility_problems(
    page, live_url, assert_no_serious_axe_violations, screenshot
):
    page.goto(f"{live_url}/")

    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_be_visible()
    screenshot(page, "home")
    assert_no_serious_axe_violations(page, "home")


def test_admin_signs_in_and_the_what_if_calculator_gives_the_respond_by_clock(
    page, live_url, login, admin_staff, screenshot
):
    login(page, live_url, admin_staff)
    page.goto(f"{live_url}{WHAT_IF_PATH}")

    page.locator("#id_code").select_option("infinity-group-2016")
    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Received").fill("2026-11-02T17:45")
    page.get_by_role("button", name="Work out the clocks").click()

    expect(page.get_by_role("heading", name="Under infinity-group-2016")).to_be_visible()
    expect(page.get_by_text("Tuesday 10 November 2026 at 5:30pm")).to_be_visible()
    screenshot(page, "what-if")


def test_first_tab_on_the_home_page_reaches_the_skip_link_and_shows_it(page, live_url):
    page.goto(f"{live_url}/")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
