"""What an uploaded file may be: checked from its content, never from its name."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED_BINARY_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-tar",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-7z-compressed",
    "application/zstd",
}
TEXT_SNIFF_BYTES = 64 * 1024


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 3:
            return False
    return True


def attachment_content_type(upload: UploadedFile) -> str:
    """The file's type from its bytes; raises ValidationError when it is not allowed."""
    upload.seek(0)
    head = upload.read(TEXT_SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ALLOWED_BINARY_TYPES:
            return kind.mime
        raise ValidationError(
            _(
                "%(name)s is a %(type)s file, which cannot be attached. Attach images, PDF, "
                "text, logs or archives."
            )
            % {"name": upload.name, "type": kind.mime}
        )
    if head and _looks_like_text(head):
        return "text/plain"
    raise ValidationError(
        _(
            "%(name)s is not a type that can be attached. Attach images, PDF, text, logs or "
            "archives."
        )
        % {"name": upload.name}
    )


def attachments_validate(uploads: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
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
            checked.append((upload, attachment_content_type(upload)))
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
