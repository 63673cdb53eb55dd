"""Lesson attachments: only allow-listed files of at most 10 MB, stored under random names,
downloaded only by those who may read the lesson, and always as a download."""
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from peewee import IntegrityError
from werkzeug.http import parse_options_header

from r2pnet.audit.models import AuditEvent
from r2pnet.extensions import db
from r2pnet.knowledge import attachments
from r2pnet.knowledge.models import LessonAttachment, LessonRevision
from tests.helpers import csrf_token, soup
from tests.signin import sign_in_as

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT_TYPE = "application/vnd.oasis.opendocument.text"


def make_zip(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(extra=None):
    return make_zip({"[Content_Types].xml": '<?xml version="1.0"?><Types/>',
                     "_rels/.rels": "<Relationships/>",
                     "word/document.xml": "<w:document><w:body>Lesson</w:body></w:document>",
                     **(extra or {})})


def odt(mimetype="application/vnd.oasis.opendocument.text"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>",
                         compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_bomb_docx():
    """A docx-shaped archive of a few hundred KB that unpacks to more than 100 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(101):
                entry.write(chunk)
    return buffer.getvalue()


def raw_upload(browser, lesson_id, disposition, data, token=None):
    """POST a multipart body whose file part has exactly this Content-Disposition tail.

    Built by hand, so the file name arrives exactly as given (and the body is not spooled to a
    temporary file the test client would leave open).
    """
    token = token or csrf_token(browser, f"/lessons/{lesson_id}/edit")
    boundary = "----r2pnetTestBoundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\n"
            f"Content-Disposition: form-data; name=\"attachment\"; {disposition}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + (
            f"\r\n--{boundary}--\r\n").encode()
    return browser.post(f"/lessons/{lesson_id}/attachments", data=body,
                        content_type=f"multipart/form-data; boundary={boundary}")


def upload(browser, lesson_id, name, data, token=None):
    """Upload as a browser does; names a quoted string cannot carry go RFC 2231-encoded."""
    if name.isascii() and name.isprintable() and not set(name) & {'"', "\\"}:
        disposition = f'filename="{name}"'
    else:
        disposition = f"filename*=UTF-8''{quote(name, safe='')}"
    return raw_upload(browser, lesson_id, disposition, data, token)


def stored_files(app):
    folder = Path(app.instance_path) / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def attach(member, lesson, name="report.pdf", data=PDF):
    """Attach a file through the service (for tests about downloading)."""
    with db.connection_context():
        return attachments.add_attachment(member, lesson, io.BytesIO(data), name)


def download(browser, attachment):
    return browser.get(f"/lessons/{attachment.lesson_id}/attachments/{attachment.id}")


def disposition(response):
    """The Content-Disposition header parsed: ("attachment", {"filename": ...})."""
    return parse_options_header(response.headers["Content-Disposition"])


def error_text(response):
    feedback = soup(response).find(id="attachment-error")
    assert feedback is not None, response.get_data(as_text=True)
    return feedback.get_text()


@pytest.fixture
def author(app, make_member):
    member = make_member(email="ama@example.org", name="Ama", password=None)
    return member, sign_in_as(app.test_client(), member)


@pytest.fixture
def lesson(author, make_lesson):
    return make_lesson(author[0], region_key="africa")


# --- uploading -------------------------------------------------------------------------------

def test_author_attaches_a_pdf_stored_under_a_random_name(app, author, lesson):
    member, browser = author
    response = upload(browser, lesson.id, "Annual report.pdf", PDF)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/lessons/{lesson.id}/edit#attachments")
    attachment = LessonAttachment.get(LessonAttachment.lesson == lesson.id)
    assert attachment.display_name == "Annual report.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF) and attachment.uploaded_by_id == member.id
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", attachment.stored_name)
    assert stored_files(app) == [attachment.stored_name]
    path = Path(app.instance_path) / "attachments" / attachment.stored_name
    assert path.read_bytes() == PDF
    assert Path(app.static_folder) not in path.parents
    page = browser.get(f"/lessons/{lesson.id}")
    link = soup(page).find("a", string="Annual report.pdf")
    assert link["href"] == f"/lessons/{lesson.id}/attachments/{attachment.id}"


def test_the_same_name_uploaded_twice_gets_two_stored_names(app, author, lesson):
    _, browser = author
    for _ in range(2):
        assert upload(browser, lesson.id, "report.pdf", PDF).status_code == 302
    rows = list(LessonAttachment.select().order_by(LessonAttachment.id))
    assert [row.display_name for row in rows] == ["report.pdf", "report.pdf"]
    assert rows[0].stored_name != rows[1].stored_name
    assert sorted(row.stored_name for row in rows) == stored_files(app)


@pytest.mark.parametrize("name, data, content_type", [
    ("notes.docx", docx(), DOCX_TYPE),
    ("notes.odt", odt(), ODT_TYPE),
    ("notes.txt", "Leçons apprises: ça marche.\n".encode(), "text/plain; charset=utf-8"),
    ("fix.txt", b"What broke the site:\n<html> was missing.\n", "text/plain; charset=utf-8"),
    ("map.png", PNG, "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("photo.JPEG", JPEG, "image/jpeg"),
], ids=["docx", "odt", "txt", "txt mentioning markup", "png", "jpg", "jpeg upper case"])
def test_every_allowed_type_is_accepted_with_its_own_content_type(app, author, lesson, name,
                                                                   data, content_type):
    _, browser = author
    assert upload(browser, lesson.id, name, data).status_code == 302
    attachment = LessonAttachment.get(LessonAttachment.lesson == lesson.id)
    assert attachment.display_name == name
    assert attachment.content_type == content_type
    assert download(browser, attachment).get_data() == data


REFUSED = {
    "html renamed pdf": ("report.pdf", HTML, "not what a .pdf file holds"),
    "svg renamed pdf": ("report.pdf", SVG, "not what a .pdf file holds"),
    "svg renamed png": ("map.png", SVG, "not what a .png file holds"),
    "html renamed txt": ("notes.txt", b"\n  " + HTML, "not what a .txt file holds"),
    "svg renamed txt": ("notes.txt", SVG, "not what a .txt file holds"),
    "exe": ("setup.exe", EXE, "cannot be attached"),
    "exe named as pdf": ("setup.pdf", EXE, "not what a .pdf file holds"),
    "double extension": ("report.pdf.exe", PDF, "cannot be attached"),
    "html": ("page.html", HTML, "cannot be attached"),
    "svg": ("image.svg", SVG, "cannot be attached"),
    "no extension": ("report", PDF, "cannot be attached"),
    "trailing dot": ("report.pdf.", PDF, "cannot be attached"),
    "png named jpg": ("photo.jpg", PNG, "not what a .jpg file holds"),
    "pdf named docx": ("notes.docx", PDF, "not what a .docx file holds"),
    "zip without word": ("notes.docx", make_zip({"[Content_Types].xml": "<Types/>",
                                                 "payload.js": "alert(1)"}),
                         "not what a .docx file holds"),
    "macro document": ("notes.docx", docx({"word/vbaProject.bin": b"\x00VBA"}),
                       "not what a .docx file holds"),
    "broken zip": ("notes.docx", b"PK\x03\x04" + b"\x00" * 100, "not what a .docx file holds"),
    "spreadsheet named odt": ("notes.odt",
                              odt("application/vnd.oasis.opendocument.spreadsheet"),
                              "not what a .odt file holds"),
    "docx named odt": ("notes.odt", docx(), "not what a .odt file holds"),
    "binary txt": ("notes.txt", b"plain\x00text", "not what a .txt file holds"),
    "latin-1 txt": ("notes.txt", "Leçons".encode("latin-1"), "not what a .txt file holds"),
    "empty file": ("report.pdf", b"", "The file is empty."),
}


@pytest.mark.parametrize("name, data, message", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_file_leaves_no_row_and_no_file(app, author, lesson, name, data, message):
    _, browser = author
    response = upload(browser, lesson.id, name, data)
    assert response.status_code == 400
    assert message in error_text(response)
    assert LessonAttachment.select().count() == 0
    assert stored_files(app) == []
    assert not AuditEvent.select().where(AuditEvent.action == "attachment_added").exists()


def test_an_archive_that_unpacks_to_more_than_100_mb_is_refused(app, author, lesson):
    _, browser = author
    bomb = zip_bomb_docx()
    assert len(bomb) < 1024 * 1024
    response = upload(browser, lesson.id, "notes.docx", bomb)
    assert response.status_code == 400
    assert "not what a .docx file holds" in error_text(response)
    assert LessonAttachment.select().count() == 0 and stored_files(app) == []


def test_a_form_without_a_file_asks_for_one(app, author, lesson):
    _, browser = author
    token = csrf_token(browser, f"/lessons/{lesson.id}/edit")
    response = browser.post(f"/lessons/{lesson.id}/attachments", data={"csrf_token": token},
                            content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a file to attach." in error_text(response)
    assert LessonAttachment.select().count() == 0


def test_a_file_of_exactly_10_mb_is_accepted(app, author, lesson):
    _, browser = author
    data = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    assert upload(browser, lesson.id, "big.pdf", data).status_code == 302
    assert LessonAttachment.get().size == 10 * 1024 * 1024


def test_a_file_over_10_mb_is_refused_with_a_clear_message(app, author, lesson):
    _, browser = author
    data = PDF + b"0" * (10 * 1024 * 1024 + 1 - len(PDF))
    response = upload(browser, lesson.id, "big.pdf", data)
    assert response.status_code == 400
    assert "larger than 10 MB" in error_text(response)
    assert LessonAttachment.select().count() == 0 and stored_files(app) == []


def test_a_body_over_the_request_limit_is_answered_413(app, author, lesson):
    _, browser = author
    data = PDF + b"0" * (17 * 1024 * 1024)
    response = upload(browser, lesson.id, "huge.pdf", data)
    assert response.status_code == 413
    assert LessonAttachment.select().count() == 0 and stored_files(app) == []


def test_a_lesson_holds_at_most_20_attachments(app, author, lesson):
    member, browser = author
    for n in range(attachments.MAX_PER_LESSON):
        attach(member, lesson, f"part {n}.pdf")
    response = upload(browser, lesson.id, "one more.pdf", PDF)
    assert response.status_code == 400
    assert "at most 20 attachments" in error_text(response)
    assert LessonAttachment.select().count() == attachments.MAX_PER_LESSON


# --- names -----------------------------------------------------------------------------------

NAMES = {
    "unix path": ("../../etc/cron.d/report.pdf", "report.pdf"),
    "windows path": ("..\\..\\Windows\\report.pdf", "report.pdf"),
    "only an extension": (".pdf", "attachment.pdf"),
    "hidden file": ("..report.pdf", "report.pdf"),
    "quotes and angle brackets": ('a"b<c>d.pdf', "a_b_c_d.pdf"),
    "right-to-left override": ("photo\u202egnp.pdf", "photognp.pdf"),
    "tabs and many spaces": ("annual \t  report.pdf", "annual report.pdf"),
    "accents": ("Rapport d’été.pdf", "Rapport d’été.pdf"),
}


@pytest.mark.parametrize("uploaded, shown", NAMES.values(), ids=NAMES.keys())
def test_the_uploaded_name_is_sanitized_for_display(app, author, lesson, uploaded, shown):
    _, browser = author
    assert upload(browser, lesson.id, uploaded, PDF).status_code == 302
    attachment = LessonAttachment.get()
    assert attachment.display_name == shown
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", attachment.stored_name)
    assert stored_files(app) == [attachment.stored_name]


def test_cr_lf_in_the_name_cannot_reach_the_download_headers(app, author, lesson):
    _, browser = author
    # RFC 2231 encoding is how a raw CR/LF can arrive in a parsed file name.
    response = raw_upload(browser, lesson.id,
                          "filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20stolen%3D1%0D%0A.pdf", PDF)
    assert response.status_code == 302
    attachment = LessonAttachment.get()
    assert "\r" not in attachment.display_name and "\n" not in attachment.display_name
    assert attachment.display_name == "evilSet-Cookie_ stolen=1.pdf"
    answer = download(browser, attachment)
    assert answer.status_code == 200
    assert "stolen" not in answer.headers.get("Set-Cookie", "")
    assert disposition(answer) == ("attachment", {"filename": "evilSet-Cookie_ stolen=1.pdf"})


def test_a_very_long_name_is_cut_to_200_characters_keeping_its_extension(app, author, lesson):
    _, browser = author
    assert upload(browser, lesson.id, "x" * 500 + ".pdf", PDF).status_code == 302
    name = LessonAttachment.get().display_name
    assert len(name) == 200 and name == "x" * 196 + ".pdf"


# --- downloading -----------------------------------------------------------------------------

def test_a_download_is_an_attachment_with_its_display_name_and_nosniff(app, author, lesson,
                                                                      make_member):
    member, _ = author
    attachment = attach(member, lesson, "Annual report.pdf")
    reader = sign_in_as(app.test_client(), make_member(password=None, region_key="europe"))
    response = download(reader, attachment)
    assert response.status_code == 200
    assert response.get_data() == PDF
    assert disposition(response) == ("attachment", {"filename": "Annual report.pdf"})
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_non_ascii_name_is_offered_in_utf_8(app, author, lesson):
    member, browser = author
    attachment = attach(member, lesson, "Rapport d’été.pdf")
    header = download(browser, attachment).headers["Content-Disposition"]
    assert header.startswith("attachment;")
    assert "filename*=UTF-8''Rapport%20d%E2%80%99%C3%A9t%C3%A9.pdf" in header


def test_a_text_file_is_downloaded_not_shown(app, author, lesson):
    member, browser = author
    attachment = attach(member, lesson, "notes.txt", b"plain notes\n")
    response = download(browser, attachment)
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert disposition(response) == ("attachment", {"filename": "notes.txt"})


# Who may download: (visibility, published, viewer) -> allowed.
MATRIX = [
    ("network", True, "author", True),
    ("network", True, "same region", True),
    ("network", True, "other region", True),
    ("network", True, "anonymous", False),
    ("region", True, "author", True),
    ("region", True, "same region", True),
    ("region", True, "other region", False),
    ("region", True, "moderator of the region", True),
    ("region", True, "administrator", True),
    ("region", True, "anonymous", False),
    ("public", True, "anonymous", True),
    ("public", True, "other region", True),
    ("network", False, "author", True),
    ("network", False, "administrator", True),
    ("network", False, "same region", False),
    ("network", False, "moderator of the region", False),
    ("public", False, "anonymous", False),
]


@pytest.mark.parametrize("visibility, published, viewer, allowed", MATRIX,
                         ids=[f"{v}-{'published' if p else 'draft'}-{w}"
                              for v, p, w, _ in MATRIX])
def test_only_readers_of_the_lesson_can_download(app, make_member, make_lesson, visibility,
                                                 published, viewer, allowed):
    writer = make_member(password=None, region_key="africa")
    lesson = make_lesson(writer, region_key="africa", visibility=visibility, publish=published)
    attachment = attach(writer, lesson)
    people = {
        "author": lambda: writer,
        "same region": lambda: make_member(password=None, region_key="africa"),
        "other region": lambda: make_member(password=None, region_key="europe"),
        "moderator of the region": lambda: make_member(password=None, role="moderator",
                                                       region_key="europe",
                                                       moderates=["africa"]),
        "administrator": lambda: make_member(password=None, role="administrator",
                                             region_key="europe"),
        "anonymous": lambda: None,
    }
    person = people[viewer]()
    browser = app.test_client()
    if person is not None:
        sign_in_as(browser, person)
    response = download(browser, attachment)
    if allowed:
        assert response.status_code == 200
        assert response.get_data() == PDF
    else:
        assert response.status_code == 404
        assert b"report.pdf" not in response.get_data()
        assert "Content-Disposition" not in response.headers


def test_a_public_lesson_file_is_not_kept_by_caches_either(app, make_member, make_lesson):
    writer = make_member(password=None)
    attachment = attach(writer, make_lesson(writer, visibility="public"))
    response = download(app.test_client(), attachment)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_an_attachment_is_only_found_under_its_own_lesson(app, author, lesson, make_lesson):
    member, browser = author
    attachment = attach(member, lesson)
    other = make_lesson(member)
    assert browser.get(f"/lessons/{other.id}/attachments/{attachment.id}").status_code == 404
    assert browser.get(f"/lessons/{lesson.id}/attachments/999999").status_code == 404


# --- who may change them ---------------------------------------------------------------------

def test_a_reader_who_may_not_edit_cannot_upload(app, lesson, make_member):
    reader = sign_in_as(app.test_client(), make_member(password=None, region_key="africa"))
    token = csrf_token(reader, f"/lessons/{lesson.id}")
    response = upload(reader, lesson.id, "report.pdf", PDF, token=token)
    assert response.status_code == 403
    assert LessonAttachment.select().count() == 0 and stored_files(app) == []


def test_a_member_who_may_not_read_the_lesson_gets_404_on_upload(app, author, make_lesson,
                                                                 make_member):
    hidden = make_lesson(author[0], region_key="africa", visibility="region")
    outsider = sign_in_as(app.test_client(), make_member(password=None, region_key="europe"))
    token = csrf_token(outsider, "/lessons")
    assert upload(outsider, hidden.id, "report.pdf", PDF, token=token).status_code == 404
    assert LessonAttachment.select().count() == 0 and stored_files(app) == []


def test_an_anonymous_visitor_cannot_upload(app, lesson):
    visitor = app.test_client()
    token = csrf_token(visitor, "/login")
    response = upload(visitor, lesson.id, "report.pdf", PDF, token=token)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert LessonAttachment.select().count() == 0 and stored_files(app) == []


def test_an_upload_without_the_csrf_token_is_refused(app, author, lesson):
    _, browser = author
    response = raw_upload(browser, lesson.id, 'filename="report.pdf"', PDF, token="forged")
    assert response.status_code == 400
    assert LessonAttachment.select().count() == 0 and stored_files(app) == []


def test_a_moderator_of_the_region_may_attach_and_it_is_audited(app, lesson, make_member):
    moderator = make_member(password=None, role="moderator", region_key="europe",
                            moderates=["africa"])
    browser = sign_in_as(app.test_client(), moderator)
    assert upload(browser, lesson.id, "brief.pdf", PDF).status_code == 302
    event = AuditEvent.get(AuditEvent.action == "attachment_added")
    assert event.actor_id == moderator.id and f"lesson {lesson.id}" in event.detail
    revision = (LessonRevision.select().where(LessonRevision.lesson == lesson.id)
                .order_by(LessonRevision.number.desc()).first())
    assert revision.note == "attachment added: brief.pdf" and revision.editor_id == moderator.id


def test_the_edit_page_lists_attachments_with_an_upload_form(app, author, lesson):
    member, browser = author
    attach(member, lesson, "brief.pdf")
    page = soup(browser.get(f"/lessons/{lesson.id}/edit"))
    form = page.find("form", attrs={"action": f"/lessons/{lesson.id}/attachments"})
    assert form["enctype"] == "multipart/form-data"
    field = form.find("input", attrs={"type": "file"})
    assert ".pdf" in field["accept"] and ".docx" in field["accept"]
    assert "PDF, Word, OpenDocument, text, PNG or JPEG, up to 10 MB" in form.get_text()
    assert page.find("a", string="brief.pdf") is not None


def test_the_author_removes_an_attachment_and_nobody_can_download_it(app, author, lesson):
    member, browser = author
    attachment = attach(member, lesson)
    token = csrf_token(browser, f"/lessons/{lesson.id}/edit")
    response = browser.post(f"/lessons/{lesson.id}/attachments/{attachment.id}/remove",
                            data={"csrf_token": token})
    assert response.status_code == 302
    assert LessonAttachment.get_by_id(attachment.id).removed_at is not None
    assert download(browser, attachment).status_code == 404
    assert soup(browser.get(f"/lessons/{lesson.id}")).find("a", string="report.pdf") is None
    event = AuditEvent.get(AuditEvent.action == "attachment_removed")
    assert event.actor_id == member.id
    # Removed, not destroyed: the file and the row stay for the record.
    assert stored_files(app) == [attachment.stored_name]


def test_a_reader_who_may_not_edit_cannot_remove(app, author, lesson, make_member):
    attachment = attach(author[0], lesson)
    reader = sign_in_as(app.test_client(), make_member(password=None, region_key="africa"))
    token = csrf_token(reader, f"/lessons/{lesson.id}")
    response = reader.post(f"/lessons/{lesson.id}/attachments/{attachment.id}/remove",
                           data={"csrf_token": token})
    assert response.status_code == 403
    assert LessonAttachment.get_by_id(attachment.id).removed_at is None
    assert download(reader, attachment).status_code == 200


def test_removing_needs_a_post_with_the_csrf_token(app, author, lesson):
    member, browser = author
    attachment = attach(member, lesson)
    path = f"/lessons/{lesson.id}/attachments/{attachment.id}/remove"
    assert browser.get(path).status_code == 405
    assert browser.post(path).status_code == 400
    assert LessonAttachment.get_by_id(attachment.id).removed_at is None


def test_when_the_database_refuses_the_row_the_file_is_removed(app, author, lesson,
                                                               monkeypatch):
    member, _ = author
    taken = "ab" * 16
    with db.connection_context():
        LessonAttachment.create(lesson=lesson, display_name="old.pdf",
                                stored_name=f"{taken}.pdf", content_type="application/pdf",
                                size=1)
    # The random name collides with a row (the file of which is gone): the insert fails.
    monkeypatch.setattr(attachments.secrets, "token_hex", lambda n: taken)
    with pytest.raises(IntegrityError):
        attach(member, lesson)
    assert stored_files(app) == []
    assert LessonAttachment.select().count() == 1
