"""The payment gateway interface. The shipped gateway validates a card and keeps only what may be
kept: brand, last four digits, expiry and holder. The number and CVC never leave this module."""

import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CardDetails:
    number: str = field(repr=False)
    cvc: str = field(repr=False)
    exp_month: int
    exp_year: int
    holder_name: str


@dataclass(frozen=True)
class StoredCard:
    reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    holder_name: str


class PaymentGateway(Protocol):
    def store_card(self, card: CardDetails) -> StoredCard: ...


BRAND_PREFIXES = (
    ("Visa", re.compile(r"^4")),
    ("Mastercard", re.compile(r"^(5[1-5]|2[2-7])")),
    ("American Express", re.compile(r"^3[47]")),
    ("Discover", re.compile(r"^6(011|5)")),
)


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in number]
    checksum = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        checksum += digit
    return checksum % 10 == 0


def card_brand(number: str) -> str:
    for brand, pattern in BRAND_PREFIXES:
        if pattern.match(number):
            return brand
    return "Card"


class ValidatingGateway:
    """Checks the card as a real gateway would and hands back a token; charges nothing."""

    def store_card(self, card: CardDetails) -> StoredCard:
        number = re.sub(r"[\s-]", "", card.number)
        errors = {}
        # [0-9], not str.isdigit(): that also accepts "²" and other scripts' digits.
        if not re.fullmatch(r"[0-9]{12,19}", number) or not luhn_valid(number):
            errors["number"] = _("This card number is not valid.")
        today = date.today()
        if not 1 <= card.exp_month <= 12:
            errors["exp_month"] = _("Choose a month from 1 to 12.")
        elif (card.exp_year, card.exp_month) < (today.year, today.month):
            errors["exp_year"] = _("This card has expired.")
        expected_cvc_length = 4 if card_brand(number) == "American Express" else 3
        if not re.fullmatch(rf"[0-9]{{{expected_cvc_length}}}", card.cvc or ""):
            errors["cvc"] = _("The security code is %(n)d digits on the back of the card.") % {
                "n": expected_cvc_length
            }
        if errors:
            raise ValidationError(errors)
        return StoredCard(
            reference=f"card_{secrets.token_hex(12)}",
            brand=card_brand(number),
            last4=number[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            holder_name=card.holder_name.strip(),
        )


def payment_gateway() -> PaymentGateway:
    return import_string(settings.PAYMENT_GATEWAY)()
