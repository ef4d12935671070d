"""Request bodies larger than any valid form are refused with 413 while they stream in.

The largest valid POST is a comment with the most files of the largest size, plus the form's own
fields. The upload handler stops a bigger body before it is read to the end: at once when the
client declares its length, and as soon as the count passes the limit when it does not
(chunked transfer)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render

MULTIPART_OVERHEAD_BYTES = 64 * 1024


class UploadTooLarge(Exception):
    """The body is larger than the attachment limits allow."""


def request_body_limit() -> int:
    return (
        settings.ATTACHMENT_MAX_PER_COMMENT * settings.ATTACHMENT_MAX_BYTES
        + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        + MULTIPART_OVERHEAD_BYTES
    )


class RequestSizeLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts the file bytes and stops past the limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = request_body_limit()
        self.received = 0
        if content_length and content_length > self.limit:
            raise UploadTooLarge

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadLimitMiddleware:
    """Reads a multipart body before the views (and the CSRF check) do, so that an oversized one
    is answered with 413 and a page that says what the limits are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 - parsing is what is checked here
            except UploadTooLarge:
                return render(
                    request,
                    "413.html",
                    {
                        "max_files": settings.ATTACHMENT_MAX_PER_COMMENT,
                        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
                    },
                    status=413,
                )
        return self.get_response(request)
