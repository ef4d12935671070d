"""What an operator relies on, in-process with DEBUG off (as pytest-django runs every test):
error pages, health endpoints, the upload limit, log lines and the request id."""

import io
import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.urls import path
from django.utils import timezone

from accounts.models import OutboundEmail
from helpcenter import urls as root_urls
from helpcenter.observability import logging_config
from helpcenter.uploads import RequestSizeLimitUploadHandler, UploadTooLarge, request_body_limit
from tests.factories import TicketFactory


def _raise_error(request):
    raise RuntimeError("the database fell over")


def _raise_bad_request(request):
    raise SuspiciousOperation("tampered")


def _raise_permission_denied(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", _raise_error),
    path("bad/", _raise_bad_request),
    path("denied/", _raise_permission_denied),
    *root_urls.urlpatterns,
]
handler500 = root_urls.handler500


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


def assert_in_site_look(page: str) -> None:
    assert "TiDB Cloud Help Center" in page
    assert "vendor/bootstrap.min.css" in page and "css/helpcenter.css" in page
    assert "Traceback" not in page and "RuntimeError" not in page
    assert "<script>" not in page and "<style" not in page and " style=" not in page


@pytest.mark.django_db
def test_500_is_the_sites_page_with_a_reference_and_no_trace(failing_urls, caplog):
    client = Client(raise_request_exception=False)
    request_id = uuid.uuid4().hex
    response = client.get("/boom/", headers={"X-Request-ID": request_id})
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert request_id in page
    assert_in_site_look(page)
    errors = [record for record in caplog.records if record.exc_info]
    assert len(errors) == 1, "the traceback is logged once"
    assert errors[0].name == "django.request" and errors[0].request_id == request_id


@pytest.mark.django_db
def test_400_and_403_are_the_sites_pages(failing_urls):
    client = Client(raise_request_exception=False)
    bad = client.get("/bad/")
    assert bad.status_code == 400
    assert "We could not read that request" in bad.content.decode()
    assert_in_site_look(bad.content.decode())
    denied = client.get("/denied/")
    assert denied.status_code == 403
    assert "You cannot do that" in denied.content.decode()
    assert_in_site_look(denied.content.decode())


@pytest.mark.django_db
def test_404_is_the_sites_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert_in_site_look(response.content.decode())


@pytest.mark.django_db
def test_expired_csrf_token_says_the_session_expired_and_the_text_is_still_in_the_form(
    basic_org,
):
    _organization, owner, _cluster = basic_org
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get("/portals/billing/")  # sets the CSRF cookie
    response = client.post("/portals/billing/", {"summary": "x", "csrfmiddlewaretoken": "stale"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Your session expired" in page
    assert "your text is still in the form" in page
    assert_in_site_look(page)


@pytest.mark.django_db
def test_csrf_failure_without_a_cookie_asks_to_allow_cookies():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a"})
    assert response.status_code == 403
    assert "Allow cookies for this site" in response.content.decode()


def test_healthz_answers_without_touching_the_database(client):
    """No django_db mark: any query here would fail the test."""
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_dependency_ok(client):
    response = client.get("/readyz/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "outbound_email": "ok"},
    }


@pytest.mark.django_db
def test_readyz_is_503_and_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://:hunter2-secret@127.0.0.1:1/0"
    response = client.get("/readyz/", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert "hunter2" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readyz_is_503_when_an_email_has_waited_longer_than_the_limit(client, settings):
    settings.OUTBOUND_EMAIL_MAX_PENDING_SECONDS = 600
    email = OutboundEmail.objects.create(
        event_key="ticket-created:1", to_email="a@b.example", subject="s", text_body="t"
    )
    assert client.get("/readyz/").status_code == 200
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=15)
    )
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["outbound_email"].startswith(
        "unavailable: the oldest pending email has waited 9"
    )
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENT)
    assert client.get("/readyz/").status_code == 200


class CountingBody(io.RawIOBase):
    """A request body of `size` bytes that is produced only as it is read, and counts reads."""

    def __init__(self, size: int, prefix: bytes):
        self.size, self.prefix, self.bytes_read = size, prefix, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        remaining = self.size - self.bytes_read
        count = min(len(buffer), remaining)
        if count <= 0:
            return 0
        chunk = (self.prefix + b"\0" * count)[self.bytes_read :][:count]
        if len(chunk) < count:
            chunk += b"\0" * (count - len(chunk))
        buffer[:count] = chunk
        self.bytes_read += count
        return count


def wsgi_post(path: str, body: CountingBody, cookie: str, content_length: int):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        "wsgi.input": io.BufferedReader(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    environ["CONTENT_LENGTH"] = str(content_length)
    statuses = []
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    content = b"".join(response)
    response.close()
    return statuses[0], content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_60_mb_comment_post_is_refused_with_413_after_reading_almost_nothing(basic_org):
    organization, owner, _cluster = basic_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    client = Client()
    client.force_login(owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    size = 60 * 1024 * 1024
    assert size > request_body_limit()
    body = CountingBody(size, b'--xyz\r\nContent-Disposition: form-data; name="body"\r\n\r\n')
    status, content = wsgi_post(f"/requests/{ticket.key}/comments/", body, cookie, size)
    assert status.startswith("413")
    assert "That upload is too large" in content.decode()
    assert "at most 5 files of 10.0" in content.decode()
    assert body.bytes_read <= 64 * 1024, body.bytes_read
    assert ticket.comments.count() == 0


def test_a_body_without_a_declared_length_is_stopped_once_its_files_pass_the_limit(settings):
    """Chunked bodies on ASGI declare no length: the handler counts file bytes as they stream."""
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.ATTACHMENT_MAX_PER_COMMENT = 2
    handler = RequestSizeLimitUploadHandler()
    handler.handle_raw_input(io.BytesIO(), {}, None, b"xyz")
    chunk, streamed = b"\0" * 64 * 1024, 0
    with pytest.raises(UploadTooLarge):
        while streamed < 20 * 1024 * 1024:
            handler.receive_data_chunk(chunk, streamed)
            streamed += len(chunk)
    assert request_body_limit() - len(chunk) <= streamed <= request_body_limit()


def test_log_lines_carry_time_level_logger_and_request_id_as_text_and_as_json():
    text_config = logging_config(level="INFO", log_format="text")
    record = logging.LogRecord("tickets.services", logging.INFO, __file__, 1, "filed", None, None)
    filters = [f() for f in [_filter_class(text_config)]]
    for log_filter in filters:
        log_filter.filter(record)
    text = logging.Formatter(text_config["formatters"]["default"]["format"]).format(record)
    assert text.endswith(" INFO tickets.services [-] filed")
    assert text[:4].isdigit()

    from pythonjsonlogger.json import JsonFormatter

    json_config = logging_config(level="INFO", log_format="json")["formatters"]["default"]
    formatter = JsonFormatter(json_config["fmt"], rename_fields=json_config["rename_fields"])
    line = json.loads(formatter.format(record))
    assert set(line) == {"time", "level", "logger", "request_id", "message"}
    assert (line["level"], line["logger"], line["request_id"], line["message"]) == (
        "INFO",
        "tickets.services",
        "-",
        "filed",
    )


def _filter_class(config):
    from django.utils.module_loading import import_string

    return import_string(config["filters"]["request_id"]["()"])


@pytest.mark.django_db
def test_request_id_round_trips_through_a_form_post(basic_org):
    organization, owner, cluster = basic_org
    client = Client()
    client.force_login(owner)
    request_id = uuid.uuid4().hex
    response = client.post(
        "/portals/billing/",
        {
            "summary": "Invoice",
            "organization": organization.pk,
            "cluster": cluster.pk,
            "description": "Two charges.",
            "severity": "S3",
        },
        headers={"X-Request-ID": request_id},
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == request_id
    generated = client.get("/")["X-Request-ID"]
    assert len(generated) == 32 and generated != request_id
