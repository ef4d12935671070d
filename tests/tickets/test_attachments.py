import gzip
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.attachments import attachment_content_type, attachments_validate


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("logs/tidb.log", "ERROR")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("screenshot.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
        ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        ("tidb.log", "2026-11-27 10:02 [ERROR] région indisponible\n".encode(), "text/plain"),
        ("logs.zip", zipped(), "application/zip"),
        ("logs.gz", gzip.compress(b"log line"), "application/gzip"),
        ("README", b"plain text without an extension", "text/plain"),
        ("latin1.log", "Fehler: Verbindung abgebrochen, Größe".encode("latin-1"), "text/plain"),
        ("windows.txt", "line one\r\nline two\r\n".encode("utf-16"), "text/plain"),
    ],
)
def test_allowed_types_are_recognised_from_content(name, content, expected):
    assert attachment_content_type(SimpleUploadedFile(name, content)) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("data.bin", bytes(range(256)) * 4),
        ("empty.txt", b""),
    ],
)
def test_other_content_is_refused_whatever_the_name(name, content):
    with pytest.raises(ValidationError) as error:
        attachment_content_type(SimpleUploadedFile(name, content))
    assert name in str(error.value)


def test_every_problem_is_reported_at_once(settings):
    settings.ATTACHMENT_MAX_BYTES = 8
    uploads = [
        SimpleUploadedFile("big.txt", b"123456789"),
        SimpleUploadedFile("x.bin", b"\x00\x01"),
    ]
    with pytest.raises(ValidationError) as error:
        attachments_validate(uploads)
    assert len(error.value.messages) == 2
