"""Lesson attachments: upload (allow-listed types, 10 MB), download only to readers."""
import io
import json
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_login import current_user

from r2pnet import permissions
from r2pnet.audit.services import record
from r2pnet.errors import DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.knowledge import services
from r2pnet.knowledge.models import LessonAttachment, LessonRevision
from r2pnet.knowledge.views import _form_page, _viewer, bp
from r2pnet.members.models import utcnow
from r2pnet.web import client_ip

MAX_SIZE = 10 * 1024 * 1024
MAX_PER_LESSON = 20
NAME_MAX = 200
# A real document unpacks to a few times its size; refuse archives that claim far more.
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_UNPACKED = 100 * 1024 * 1024
ACCEPT = ".pdf,.docx,.odt,.txt,.png,.jpg,.jpeg"
TYPES_TEXT = "PDF, Word (.docx), OpenDocument text (.odt), plain text (.txt), PNG or JPEG"
# How a web page or an SVG image begins (what browsers sniff): not accepted as "plain text".
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)",
                    re.IGNORECASE)
STORED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z]{3,4}")


def _is_pdf(data):
    return data.startswith(b"%PDF-")


def _is_png(data):
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(data):
    return data.startswith(b"\xff\xd8\xff")


def _zip_names(data):
    """The entry names of a plausible document archive, or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # noqa: BLE001 - whatever the parser trips on, it is no document
        return None
    if len(infos) > ZIP_MAX_ENTRIES or sum(info.file_size for info in infos) > ZIP_MAX_UNPACKED:
        return None
    return archive, {info.filename for info in infos}


def _is_docx(data):
    found = _zip_names(data)
    if found is None:
        return False
    _, names = found
    # vbaProject.bin: a macro-enabled document (.docm) renamed .docx.
    return ("[Content_Types].xml" in names and any(n.startswith("word/") for n in names)
            and "word/vbaProject.bin" not in names)


def _is_odt(data):
    found = _zip_names(data)
    if found is None:
        return False
    archive, names = found
    if "mimetype" not in names:
        return False
    try:
        with archive.open("mimetype") as entry:
            declared = entry.read(100)
    except Exception:  # noqa: BLE001 - encrypted, truncated or malformed: no document
        return False
    return declared.strip() == b"application/vnd.oasis.opendocument.text"


def _is_text(data):
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return MARKUP.match(data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x0c")) is None


# extension -> (stored extension, content type, content check)
KINDS = {
    "pdf": ("pdf", "application/pdf", _is_pdf),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             _is_docx),
    "odt": ("odt", "application/vnd.oasis.opendocument.text", _is_odt),
    "txt": ("txt", "text/plain; charset=utf-8", _is_text),
    "png": ("png", "image/png", _is_png),
    "jpg": ("jpg", "image/jpeg", _is_jpeg),
    "jpeg": ("jpg", "image/jpeg", _is_jpeg),
}


def display_name(uploaded):
    """The uploaded file name made safe to show and to offer as a download name."""
    name = unicodedata.normalize("NFC", uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Control and format characters (CR/LF, NUL, right-to-left overrides) go.
    name = "".join(" " if unicodedata.category(ch).startswith("Z") else ch for ch in name
                   if not unicodedata.category(ch).startswith("C"))
    return re.sub(r'[<>:"|?*]', "_", " ".join(name.split()))


def _extension(name):
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def _fit(name, ext):
    """At most NAME_MAX characters, keeping the extension; a fallback for an empty stem."""
    stem, suffix = name[:-(len(ext) + 1)], name[-len(ext):]
    stem = stem.strip(" .")[:NAME_MAX - len(ext) - 1].rstrip(" .")
    return f"{stem or 'attachment'}.{suffix}"


def storage_dir():
    """Where attachment files live: in the instance folder, never under static/."""
    folder = Path(current_app.instance_path) / "attachments"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def read_upload(stream, filename):
    """(display name, stored extension, content type, bytes) of an acceptable upload.

    :raise DomainError: for a missing, empty, too large or not allow-listed file.
    """
    name = display_name(filename)
    if not filename or stream is None:
        raise DomainError("Choose a file to attach.", "attachment")
    ext = _extension(name)
    if ext not in KINDS:
        raise DomainError(f"This type of file cannot be attached: choose a {TYPES_TEXT} "
                          "file.", "attachment")
    data = stream.read(MAX_SIZE + 1)
    if len(data) > MAX_SIZE:
        raise DomainError("The file is larger than 10 MB: attach a smaller one.", "attachment")
    if not data:
        raise DomainError("The file is empty.", "attachment")
    stored_ext, content_type, matches = KINDS[ext]
    if not matches(data):
        raise DomainError(f"The content of this file is not what a .{ext} file holds, so it "
                          f"was not attached. Choose a {TYPES_TEXT} file.", "attachment")
    return _fit(name, ext), stored_ext, content_type, data


def _write_file(folder, stored_name, data):
    """Write to a temporary name, then link it: never half-written, never over another file."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, folder / stored_name)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _add_note(lesson, editor, note):
    """A revision that records the change to the files (the lesson's fields are unchanged)."""
    number = LessonRevision.select().where(LessonRevision.lesson == lesson.id).count() + 1
    latest = (LessonRevision.select(LessonRevision.snapshot)
              .where(LessonRevision.lesson == lesson.id)
              .order_by(LessonRevision.number.desc())
              .first())
    snapshot = latest.snapshot if latest else json.dumps({})
    LessonRevision.create(lesson=lesson, number=number, editor=editor, note=note[:200],
                          snapshot=snapshot)


def add_attachment(editor, lesson, stream, filename, ip=""):
    """Attach an uploaded file to a lesson: checked, stored under a random name, audited.

    :raise Forbidden: when `editor` may not edit the lesson.
    :raise DomainError: for a file that is not accepted; nothing is stored then.
    """
    if not permissions.can_edit_lesson(editor, lesson):
        raise Forbidden("Only the author, administrators and the region's moderators edit it.")
    current = (LessonAttachment.select()
               .where(LessonAttachment.lesson == lesson.id,
                      LessonAttachment.removed_at.is_null())
               .count())
    if current >= MAX_PER_LESSON:
        raise DomainError(f"A lesson can have at most {MAX_PER_LESSON} attachments: remove "
                          "one first.", "attachment")
    name, stored_ext, content_type, data = read_upload(stream, filename)
    folder = storage_dir()
    stored_name = f"{secrets.token_hex(16)}.{stored_ext}"
    _write_file(folder, stored_name, data)
    try:
        with db.atomic():
            attachment = LessonAttachment.create(
                lesson=lesson, uploaded_by=editor, display_name=name, stored_name=stored_name,
                content_type=content_type, size=len(data))
            _add_note(lesson, editor, f"attachment added: {name}")
            record("attachment_added", actor=editor, ip=ip,
                   detail=f"lesson {lesson.id}: attachment {attachment.id} "
                          f"({len(data)} bytes, {stored_ext})")
    except BaseException:
        (folder / stored_name).unlink(missing_ok=True)
        raise
    return attachment


def remove_attachment(editor, lesson, attachment, ip=""):
    """Take an attachment off a lesson (kept on disk and in the database, as removed)."""
    if not permissions.can_edit_lesson(editor, lesson):
        raise Forbidden("Only the author, administrators and the region's moderators edit it.")
    with db.atomic():
        removed = (LessonAttachment.update(removed_at=utcnow())
                   .where(LessonAttachment.id == attachment.id,
                          LessonAttachment.removed_at.is_null())
                   .execute())
        if removed:
            _add_note(lesson, editor, f"attachment removed: {attachment.display_name}")
            record("attachment_removed", actor=editor, ip=ip,
                   detail=f"lesson {lesson.id}: attachment {attachment.id}")
    return bool(removed)


def _current(lesson, attachment_id):
    return (LessonAttachment.select()
            .where(LessonAttachment.id == attachment_id,
                   LessonAttachment.lesson == lesson.id,
                   LessonAttachment.removed_at.is_null())
            .first())


def _editable_lesson(lesson_id, viewer):
    """The lesson if `viewer` may edit it.

    :raise 404: when the viewer may not read it (or it does not exist).
    :raise 403: when the viewer may read but not edit it.
    """
    lesson = services.get_visible(lesson_id, viewer)
    if lesson is None:
        abort(404)
    if not permissions.can_edit_lesson(viewer, lesson):
        abort(403)
    return lesson


def readable_file(lesson_id, attachment_id, viewer):
    """(lesson, attachment, path) of a current attachment `viewer` may download, else None."""
    lesson = services.get_visible(lesson_id, viewer)
    attachment = _current(lesson, attachment_id) if lesson is not None else None
    if attachment is None or not STORED_NAME.fullmatch(attachment.stored_name):
        return None
    path = storage_dir() / attachment.stored_name
    if not path.is_file():
        current_app.logger.error("attachment %s: file %s is missing", attachment.id, path)
        return None
    return lesson, attachment, path


def file_response(lesson, attachment, path):
    """The file as a download: its stored type, never sniffed, rendered or cached if private."""
    response = send_file(path, as_attachment=True, download_name=attachment.display_name,
                         mimetype=attachment.content_type, conditional=False, etag=False)
    response.headers["Content-Type"] = attachment.content_type  # as stored, charset included
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Never rendered here: no script, no plugin, even if a browser ignored the disposition.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if lesson.visibility != "public" or not lesson.is_published:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/lessons/<int:lesson_id>/attachments", methods=["POST"])
def upload_attachment(lesson_id):
    """Attach a file to a lesson (its editors only)."""
    viewer = current_user._get_current_object()
    lesson = _editable_lesson(lesson_id, viewer)
    upload = request.files.get("attachment")
    try:
        attachment = add_attachment(viewer, lesson, upload.stream if upload else None,
                                    upload.filename if upload else "", client_ip())
    except DomainError as exc:
        return _form_page(lesson, services.form_values(lesson), exc.errors)
    flash(f"Attached {attachment.display_name}.", "success")
    return redirect(url_for("knowledge.edit_lesson", lesson_id=lesson.id) + "#attachments")


@bp.route("/lessons/<int:lesson_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
def remove_attachment_view(lesson_id, attachment_id):
    """Remove an attachment from a lesson (its editors only)."""
    viewer = current_user._get_current_object()
    lesson = _editable_lesson(lesson_id, viewer)
    attachment = _current(lesson, attachment_id)
    if attachment is None:
        abort(404)
    remove_attachment(viewer, lesson, attachment, client_ip())
    flash(f"Removed {attachment.display_name}.", "success")
    return redirect(url_for("knowledge.edit_lesson", lesson_id=lesson.id) + "#attachments")


@bp.route("/lessons/<int:lesson_id>/attachments/<int:attachment_id>")
def download_attachment(lesson_id, attachment_id):
    """Download an attachment of a lesson the member may read; always as a download."""
    found = readable_file(lesson_id, attachment_id, _viewer())
    if found is None:
        abort(404)
    return file_response(*found)
