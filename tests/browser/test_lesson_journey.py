"""The knowledge-base journey, clicked through in Chromium against the live app.

A member of Africa writes and classifies a lesson, saves a draft, attaches a PDF and publishes
it for Africa only; a peer of Africa finds it by a facet and by search, downloads the file and
records that they applied it; a member of Europe finds no trace of it.
"""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from r2pnet.extensions import db
from tests.browser.pages import nav, sign_in

pytestmark = pytest.mark.browser

TITLE = "Community radio against hate speech before elections"
SUMMARY = "Local stations and the ministry agreed on a code and a hotline before the vote."
CONTEXT_MD = ("Hate speech on local stations preceded the violence of 2017 in three "
              "districts.\n\nA **monitoring desk** was set up in the ministry.")
PRACTICE_MD = ("- The ministry trained forty community broadcasters\n"
               "- Stations signed a voluntary code of conduct")
SEARCH_WORD = "broadcasters"  # only in a section: not in the title, summary or tags
NOTE = "Adapted for our 2024 county elections with twelve stations."
FILE_NAME = "radio-briefing.pdf"
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
       b"%%EOF\n")
OTHER_TITLE = "Early-warning desk in the foreign ministry"  # a lesson for the whole network
PILLAR_1 = "Pillar I: the protection responsibilities of the State"
REGION_ONLY = "Members of the lesson's region only (with its moderators and administrators)"
NOT_FOUND = "There is no page at this address, or you may not see it."


def open_lessons(page):
    nav(page).get_by_role("link", name="Lessons").click()
    expect(page.get_by_role("heading", name="Lessons learned")).to_be_visible()


def facets(page):
    return page.get_by_role("complementary", name="Filters")


def facet_link(page, label):
    """A facet value's link in the left column (its count is beside it, outside the link)."""
    return facets(page).get_by_role("link", name=label, exact=True)


def facet_item(page, label):
    return facets(page).locator("li").filter(
        has=page.get_by_role("link", name=label, exact=True))


def result_count(page):
    return page.get_by_role("status").filter(has_text=re.compile(r"\d+ lessons?"))


def result(page, title):
    return page.locator("article.card").filter(
        has=page.get_by_role("link", name=title, exact=True))


def search(page, text):
    page.get_by_role("searchbox", name="Search lessons").fill(text)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(text)))


def test_lesson_for_a_region_is_written_found_downloaded_and_applied_but_hidden_elsewhere(
        app, new_page, make_member, make_lesson, tmp_path):
    with db.connection_context():
        make_member(email="kwame@example.org", name="Kwame Mensah", region_key="africa",
                    country="GH", organization="Ministry of Foreign Affairs")
        make_member(email="ngozi@example.org", name="Ngozi Okafor", region_key="africa",
                    country="NG")
        make_member(email="pierre@example.org", name="Pierre Martin", region_key="europe",
                    country="FR")
        other_author = make_member(email="li@example.org", name="Li Wei",
                                   region_key="asia_pacific", password=None)  # never signs in
    make_lesson(other_author, region_key="asia_pacific", title=OTHER_TITLE,
                pillars=["pillar_1"], tags=["early warning"])
    pdf = tmp_path / FILE_NAME
    pdf.write_bytes(PDF)

    # The author writes the lesson with its classification and saves a draft.
    author = new_page()
    sign_in(author, "kwame@example.org")
    open_lessons(author)
    author.get_by_role("link", name="Share a lesson").click()
    expect(author.get_by_role("heading", name="Share a lesson learned")).to_be_visible()
    author.get_by_label("Title").fill(TITLE)
    author.get_by_label("Summary").fill(SUMMARY)
    author.get_by_label("Context: the situation").fill(CONTEXT_MD)
    author.get_by_label("Practice: what was done").fill(PRACTICE_MD)
    expect(author.get_by_label("Region", exact=True).locator("option:checked")
           ).to_have_text("Africa")  # from the author's profile
    author.get_by_label("Who may read it").select_option(label=REGION_ONLY)
    author.get_by_label(PILLAR_1).check()
    author.get_by_label("Ethnic cleansing").check()
    author.get_by_label("Investing in atrocity crime prevention").check()
    author.get_by_label("Narrow the list of risk factors").fill("intergroup")
    expect(author.get_by_label("3. Weakness of State structures")).to_be_hidden()
    author.get_by_label("9. Intergroup tensions or patterns of discrimination").check()
    author.get_by_label("Assessment of atrocity risks and sources of resilience").check()
    author.get_by_label("Tags", exact=True).fill("Community Radio, early warning")
    author.get_by_role("button", name="Save as draft").click()

    expect(author.get_by_text("Draft saved: only you (and administrators) can see it.")
           ).to_be_visible()
    expect(author.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(author.locator("article > header .badge")).to_have_text("Draft")
    match = re.search(r"/lessons/(\d+)$", author.url)
    assert match, author.url
    lesson_path = match.group(0)

    # A peer of the same region cannot see the draft yet.
    peer = new_page()
    sign_in(peer, "ngozi@example.org")
    peer.goto(lesson_path)
    expect(peer.get_by_text(NOT_FOUND)).to_be_visible()
    open_lessons(peer)
    expect(result(peer, OTHER_TITLE)).to_be_visible()
    expect(result(peer, TITLE)).to_have_count(0)

    # The author edits it: attaches a PDF from the edit page, then publishes.
    author.get_by_role("link", name="Edit", exact=True).click()
    expect(author.get_by_role("heading", name="Edit the lesson")).to_be_visible()
    expect(author.get_by_text("No files attached yet.")).to_be_visible()
    author.get_by_label("Attach a file").set_input_files(pdf)
    author.get_by_role("button", name="Attach", exact=True).click()
    expect(author.get_by_text(f"Attached {FILE_NAME}.")).to_be_visible()
    files = author.get_by_role("region", name="Attachments")
    expect(files.get_by_role("link", name=FILE_NAME)).to_be_visible()
    expect(files).to_contain_text("(1 KB)")
    expect(author.get_by_label(PILLAR_1)).to_be_checked()  # the form shows what was saved
    expect(author.get_by_label("Tags", exact=True)).to_have_value("community radio, early warning")
    author.get_by_role("button", name="Publish", exact=True).click()

    expect(author.get_by_text("Lesson published.")).to_be_visible()
    expect(author.locator("article > header .badge")).to_have_text("Africa only")
    expect(author.locator("article > header")).to_contain_text("published")

    # The peer finds it through a facet: the pillar lists both lessons, the tag only this one.
    open_lessons(peer)
    expect(result_count(peer)).to_have_text(re.compile(r"^2 lessons"))
    expect(facet_item(peer, PILLAR_1)).to_contain_text("(2)")
    expect(facet_item(peer, "Ethnic cleansing")).to_contain_text("(1)")
    facet_link(peer, "#community radio").click()
    expect(peer).to_have_url(re.compile(r"[?&]tag=community\+radio"))
    expect(facet_link(peer, "✓ #community radio")).to_have_attribute("aria-current", "true")
    expect(result_count(peer)).to_have_text(re.compile(r"^1 lesson\b"))
    expect(result(peer, TITLE)).to_contain_text("Africa only")
    expect(result(peer, OTHER_TITLE)).to_have_count(0)
    shared_facet_url = peer.url

    # ... and through the search box, by a word of a section, highlighted in the snippet.
    open_lessons(peer)
    search(peer, SEARCH_WORD)
    expect(result_count(peer)).to_have_text(re.compile(r"^1 lesson\b"))
    expect(result(peer, TITLE).locator("mark")).to_have_text(SEARCH_WORD)
    expect(result(peer, OTHER_TITLE)).to_have_count(0)

    # The peer opens it, reads the sections and the classification.
    peer.get_by_role("link", name=TITLE).click()
    expect(peer.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(peer.get_by_text(SUMMARY)).to_be_visible()
    expect(peer.get_by_text("Kwame Mensah, Ministry of Foreign Affairs (Ghana)")).to_be_visible()
    practice = peer.get_by_role("region", name="Practice: what was done")
    expect(practice.get_by_role("listitem")).to_have_text([
        "The ministry trained forty community broadcasters",
        "Stations signed a voluntary code of conduct"])
    expect(peer.get_by_role("region", name="Context: the situation").locator("strong")
           ).to_have_text("monitoring desk")
    classification = peer.get_by_role("complementary", name="Classification and uptake")
    for shown in (PILLAR_1, "Ethnic cleansing", "Investing in atrocity crime prevention",
                  "9. Intergroup tensions or patterns of discrimination against protected groups",
                  "Assessment of atrocity risks and sources of resilience",
                  "#community radio", "#early warning"):
        expect(classification.get_by_role("link", name=shown, exact=True)).to_be_visible()
    expect(peer.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    # ... downloads the attachment ...
    file_link = peer.get_by_role("region", name="Attachments").get_by_role("link",
                                                                          name=FILE_NAME)
    attachment_path = file_link.get_attribute("href")
    with peer.expect_download() as download_info:
        file_link.click()
    download = download_info.value
    assert download.suggested_filename == FILE_NAME
    assert download.failure() is None
    assert Path(download.path()).read_bytes() == PDF

    # ... and records that they applied it.
    uptake = peer.get_by_role("region", name="Uptake")
    expect(uptake).to_contain_text("Applied or adapted by 0 members")
    uptake.get_by_label("We applied or adapted this").fill(NOTE)
    uptake.get_by_role("button", name="Record that we applied it").click()
    expect(peer.get_by_text("Thank you: your application is recorded.")).to_be_visible()
    expect(uptake).to_contain_text("Applied or adapted by 1 member ·")
    expect(uptake.get_by_role("link", name="Ngozi Okafor")).to_be_visible()
    applied_by = uptake.get_by_role("listitem")
    expect(applied_by).to_have_count(1)
    expect(applied_by).to_contain_text("Ngozi Okafor (Nigeria)")
    expect(applied_by).to_contain_text(NOTE)
    expect(uptake.get_by_label("Your note on how you applied it")).to_have_value(NOTE)
    open_lessons(peer)
    expect(result(peer, TITLE)).to_contain_text("applied by 1")

    # A member of Europe finds no trace of it: not listed, not counted, not searchable.
    other = new_page()
    sign_in(other, "pierre@example.org")
    open_lessons(other)
    expect(result(other, OTHER_TITLE)).to_be_visible()
    expect(result_count(other)).to_have_text(re.compile(r"^1 lesson\b"))
    expect(result(other, TITLE)).to_have_count(0)
    expect(facet_item(other, PILLAR_1)).to_contain_text("(1)")
    expect(facet_item(other, "#early warning")).to_contain_text("(1)")
    for hidden in ("#community radio", "Ethnic cleansing",
                   "Investing in atrocity crime prevention", "Africa", "Ghana"):
        expect(facet_link(other, hidden)).to_have_count(0)
    expect(other.get_by_role("heading", name="Crime")).to_have_count(0)

    search(other, SEARCH_WORD)
    expect(other.get_by_text("No lesson matches.")).to_be_visible()
    expect(result_count(other)).to_have_text(re.compile(r"^0 lessons"))
    search(other, "radio")  # the title and the tag
    expect(other.get_by_text("No lesson matches.")).to_be_visible()

    other.goto(shared_facet_url)  # the peer's link to the filtered list
    expect(other.get_by_text("No lesson matches.")).to_be_visible()
    expect(result(other, TITLE)).to_have_count(0)

    response = other.goto(lesson_path)
    assert response.status == 404
    expect(other.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(other.get_by_text(NOT_FOUND)).to_be_visible()
    expect(other.get_by_text(TITLE)).to_have_count(0)
    response = other.goto(attachment_path)  # not a download: a 404 page
    assert response.status == 404
    expect(other.get_by_text(NOT_FOUND)).to_be_visible()
