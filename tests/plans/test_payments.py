import logging
import re
from datetime import date

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from helpcenter.mail.models import OutboundEmail
from plans.models import PaymentMethod, Plan, Subscription
from plans.payments import CardDetails, StoredCard, ValidatingGateway, luhn_valid, payment_gateway
from plans.services import plan_upgrade

TODAY = date.today()
NEXT_YEAR = TODAY.year + 1
# Any twelve or more digits of the test card, however they are grouped.
FULL_NUMBER = re.compile(r"4242\D{0,3}4242\D{0,3}4242")
CVC_CONTEXT = re.compile(r"(?i)(cvc|cvv|security.?code)\W{0,20}123\b")


def card(**overrides) -> CardDetails:
    details = {
        "number": "4242 4242 4242 4242",
        "cvc": "123",
        "exp_month": 12,
        "exp_year": NEXT_YEAR,
        "holder_name": "Alice Adams",
    }
    details.update(overrides)
    return CardDetails(**details)


def refusal(**overrides) -> set[str]:
    """The fields the gateway refuses for this card."""
    with pytest.raises(ValidationError) as refused:
        ValidatingGateway().store_card(card(**overrides))
    return set(refused.value.error_dict)


# The validating gateway


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4242424242424242", True),
        ("4242424242424241", False),
        ("79927398713", True),
        ("79927398710", False),
    ],
)
def test_luhn_check(number, valid):
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("number", "cvc", "brand", "last4"),
    [
        ("4242 4242 4242 4242", "123", "Visa", "4242"),
        ("4242-4242-4242-4242", "123", "Visa", "4242"),
        ("5555555555554444", "123", "Mastercard", "4444"),
        ("2223003122003222", "123", "Mastercard", "3222"),
        ("3782 822463 10005", "1234", "American Express", "0005"),
        ("6011111111111117", "123", "Discover", "1117"),
    ],
)
def test_a_valid_card_is_kept_as_brand_last_four_expiry_and_holder(number, cvc, brand, last4):
    stored = ValidatingGateway().store_card(card(number=number, cvc=cvc, holder_name=" Alice "))
    assert (stored.brand, stored.last4, stored.exp_month, stored.exp_year, stored.holder_name) == (
        brand,
        last4,
        12,
        NEXT_YEAR,
        "Alice",
    )
    assert set(vars(stored)) == {
        "reference",
        "brand",
        "last4",
        "exp_month",
        "exp_year",
        "holder_name",
    }


def test_each_stored_card_gets_its_own_reference():
    gateway = ValidatingGateway()
    assert gateway.store_card(card()).reference != gateway.store_card(card()).reference


@pytest.mark.parametrize(
    "number",
    [
        "4242 4242 4242 4241",  # fails the Luhn check
        "4242 4242 42",  # too short
        "4242 4242 4242 4242 4242 4",  # too long
        "4242 4242 abcd 4242",
        "4242 4242 4242 424²",  # a superscript digit is not a digit of a card number
        "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢",  # nor are Arabic-Indic digits
        "",
    ],
)
def test_an_invalid_number_is_refused(number):
    assert refusal(number=number) == {"number"}


def test_a_card_that_expired_last_month_is_refused():
    year, month = (TODAY.year, TODAY.month - 1) if TODAY.month > 1 else (TODAY.year - 1, 12)
    assert refusal(exp_month=month, exp_year=year) == {"exp_year"}


def test_a_card_that_expires_this_month_is_accepted():
    stored = ValidatingGateway().store_card(card(exp_month=TODAY.month, exp_year=TODAY.year))
    assert (stored.exp_month, stored.exp_year) == (TODAY.month, TODAY.year)


@pytest.mark.parametrize("month", [0, 13])
def test_a_month_outside_1_to_12_is_refused(month):
    assert refusal(exp_month=month) == {"exp_month"}


@pytest.mark.parametrize(
    ("number", "cvc"),
    [
        ("4242424242424242", "12"),
        ("4242424242424242", "1234"),
        ("4242424242424242", "12a"),
        ("4242424242424242", "١٢٣"),
        ("378282246310005", "123"),  # American Express codes have four digits
    ],
)
def test_a_security_code_of_the_wrong_format_is_refused(number, cvc):
    assert refusal(number=number, cvc=cvc) == {"cvc"}


def test_refusal_messages_never_repeat_the_number_or_code():
    with pytest.raises(ValidationError) as refused:
        ValidatingGateway().store_card(card(number="4242 4242 4242 4241", cvc="12", exp_month=13))
    text = " ".join(refused.value.messages)
    assert "4241" not in text
    assert " 12 " not in f" {text} "


def test_card_details_do_not_print_the_number_or_code():
    shown = repr(card())
    assert not FULL_NUMBER.search(shown)
    assert "123" not in shown
    assert "Alice Adams" in shown


# The gateway is a setting


class RecordingGateway:
    """A stand-in gateway, to show that the configured one is used."""

    def store_card(self, card: CardDetails) -> StoredCard:
        return StoredCard(
            reference="tok_recorded",
            brand="Test",
            last4="0000",
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            holder_name=card.holder_name,
        )


def test_the_gateway_is_read_from_settings_at_call_time(settings):
    settings.PAYMENT_GATEWAY = "tests.plans.test_payments.RecordingGateway"
    assert isinstance(payment_gateway(), RecordingGateway)


def test_an_upgrade_goes_through_the_configured_gateway(settings, basic_org):
    organization, owner, _cluster = basic_org
    settings.PAYMENT_GATEWAY = "tests.plans.test_payments.RecordingGateway"
    plan_upgrade(
        organization=organization,
        plan=Plan.objects.get(code="developer"),
        actor=owner,
        card=card(),
    )
    stored = Subscription.objects.get(organization=organization).payment_method
    assert stored.gateway_reference == "tok_recorded"
    assert str(stored) == "Test ending in 0000"


# The number and the code are stored nowhere


def database_text() -> str:
    """Every row of every table, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                rows.append(
                    " ".join(
                        bytes(value).decode("latin-1")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                        for value in row
                    )
                )
    return "\n".join(rows)


def assert_no_card_secrets(text: str, where: str) -> None:
    assert not FULL_NUMBER.search(text), f"the card number is in {where}"
    assert not CVC_CONTEXT.search(text), f"the security code is in {where}"


@pytest.mark.django_db
def test_after_an_upgrade_through_the_pages_the_number_and_code_are_nowhere(
    client, org_factory, member_of, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    organization, alice, _cluster = org_factory("basic", name="Acme")
    other_owner = member_of(organization, role="owner")  # so that an email goes out
    client.force_login(alice)
    pages = [
        client.get(reverse("plans:support", args=[organization.pk])),
        client.get(reverse("plans:upgrade", args=[organization.pk, "developer"])),
        client.get(reverse("plans:upgrade-card", args=[organization.pk, "developer"])),
    ]
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        upgraded = client.post(
            reverse("plans:upgrade-card", args=[organization.pk, "developer"]),
            {
                "holder_name": "Alice Adams",
                "number": "4242 4242 4242 4242",
                "exp_month": "12",
                "exp_year": str(NEXT_YEAR),
                "cvc": "123",
            },
            follow=True,
        )
    pages.append(upgraded)

    # The upgrade happened, so there was something to leak.
    assert "Acme is now on the Developer plan" in upgraded.text
    assert PaymentMethod.objects.get(organization=organization).last4 == "4242"
    assert [message.to for message in mail.outbox] == [[other_owner.email]]

    stored = database_text()
    assert_no_card_secrets(stored, "the database")
    assert "Alice Adams" in stored and "Visa ending in 4242" in stored
    sent_sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert "INSERT" in sent_sql
    assert_no_card_secrets(sent_sql, "the SQL sent to the database")

    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    assert any("_auth_user_id" in session for session in sessions)
    assert_no_card_secrets("\n".join(sessions), "the session")

    logged = "\n".join(f"{record.getMessage()} {record.__dict__!r}" for record in caplog.records)
    assert_no_card_secrets(logged, "the logs")

    emails = "\n".join(
        f"{message.subject}\n{message.body}\n"
        + "\n".join(content for content, _type in getattr(message, "alternatives", []))
        for message in mail.outbox
    )
    assert "Visa ending in 4242" in emails
    assert_no_card_secrets(emails, "the emails")
    outbox_rows = "\n".join(
        f"{row.subject}\n{row.text_body}\n{row.html_body}" for row in OutboundEmail.objects.all()
    )
    assert_no_card_secrets(outbox_rows, "the email outbox")

    assert_no_card_secrets("\n".join(page.text for page in pages), "the pages")


@pytest.mark.django_db
def test_an_error_report_about_the_card_form_hides_the_number_and_code(client, basic_org):
    organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.post(
        reverse("plans:upgrade-card", args=[organization.pk, "developer"]),
        {"holder_name": "Alice", "number": "4242 4242 4242 4242", "cvc": "123"},
    )
    shown = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert shown["holder_name"] == "Alice"
    assert not FULL_NUMBER.search(shown["number"])
    assert shown["cvc"] != "123"
