"""What an uploaded file may be: checked from its content, never from its name."""

import codecs
import re
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The allow-list: detected type -> the file name extensions that may carry it. The first
# extension is the one the file is stored under.
ALLOWED_BINARY_TYPES = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
    "application/zip": ("zip",),
    "application/gzip": ("gz", "tgz"),
    "application/x-tar": ("tar",),
}
TEXT_EXTENSIONS = (
    "txt",
    "log",
    "csv",
    "json",
    "xml",
    "yaml",
    "yml",
    "sql",
    "conf",
    "cfg",
    "ini",
    "toml",
    "md",
    "out",
    "err",
    "trace",
)
TEXT_SNIFF_BYTES = 64 * 1024
ALLOWED_TYPES_TEXT = gettext_lazy(
    "Attach images (PNG, JPEG, GIF, WebP), PDF, text and logs (.txt, .log, .csv, .json, .xml, "
    ".yaml), or ZIP, gzip and tar archives."
)
# Bytes that never occur in text: C0 controls other than tab, line feed, form feed, return.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TEXT_ENCODINGS_WITH_BOM = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    content_type: str
    extension: str

    @property
    def storage_name(self) -> str:
        """Only the extension of the detected type reaches storage; the name is random."""
        return f"upload.{self.extension}"


def _decodes_as_text(head: bytes, *, truncated: bool) -> bool:
    """UTF-8, UTF-16/32 with a byte order mark, UTF-16 without one, or a single-byte
    encoding (Windows-1252 / Latin-1) that decodes to printable text."""
    if truncated:
        # A multi-byte character may be cut at the end of the sample; drop a few bytes.
        head = head[: len(head) - len(head) % 4 - 4] if len(head) > 8 else head
    candidates = [codec for bom, codec in _TEXT_ENCODINGS_WITH_BOM if head.startswith(bom)]
    if b"\x00" in head and not candidates:
        # UTF-16 without a byte order mark: mostly Latin text, so every other byte is zero.
        half = len(head) // 2
        if head[1::2].count(0) >= 0.9 * half:
            candidates = ["utf-16-le"]
        elif head[0::2].count(0) >= 0.9 * half:
            candidates = ["utf-16-be"]
    elif not candidates:
        candidates = ["utf-8", "cp1252", "latin-1"]
    for codec in candidates:
        try:
            text = head.decode(codec)
        except UnicodeDecodeError:
            continue
        if not _NOT_TEXT.search(text) and not re.search(r"[\x80-\x9f]", text):
            return True
    return False


def _extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def _refuse(upload: UploadedFile, detail: str) -> ValidationError:
    return ValidationError(f"{upload.name}: {detail} {ALLOWED_TYPES_TEXT}")


def attachment_check(upload: UploadedFile) -> CheckedUpload:
    """The file's type from its bytes, and its last extension must agree with it; raises a
    ValidationError naming the allowed types otherwise."""
    upload.seek(0)
    head = upload.read(TEXT_SNIFF_BYTES)
    upload.seek(0)
    extension = _extension(upload.name)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ALLOWED_BINARY_TYPES:
        extensions = ALLOWED_BINARY_TYPES[kind.mime]
        if extension not in extensions:
            raise _refuse(
                upload,
                _("the content is %(type)s, but the name ends in .%(extension)s.")
                % {"type": extensions[0].upper(), "extension": extension or "(nothing)"},
            )
        return CheckedUpload(upload, kind.mime, extensions[0])
    if kind is None and head and _decodes_as_text(head, truncated=upload.size > len(head)):
        if extension and extension not in TEXT_EXTENSIONS:
            raise _refuse(
                upload,
                _("this is text, which cannot be attached as .%(extension)s.")
                % {"extension": extension},
            )
        return CheckedUpload(upload, "text/plain", extension or "txt")
    raise _refuse(upload, _("this type of file cannot be attached."))


def attachment_content_type(upload: UploadedFile) -> str:
    """The file's checked type (see `attachment_check`)."""
    return attachment_check(upload).content_type


def attachments_validate(uploads: list[UploadedFile]) -> list[CheckedUpload]:
    """Each upload with its checked content type, or every problem at once."""
    limit = settings.ATTACHMENT_MAX_PER_COMMENT
    if len(uploads) > limit:
        raise ValidationError(
            _("Attach at most %(limit)d files to one comment.") % {"limit": limit}
        )
    errors, checked = [], []
    for upload in uploads:
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            errors.append(
                _("%(name)s is %(size)s; the limit is %(limit)s.")
                % {
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
                }
            )
            continue
        try:
            checked.append(attachment_check(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def attachment_download_response(attachment) -> FileResponse:
    """A stored file, always as a download and never rendered by the browser."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is gone.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
