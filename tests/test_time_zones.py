"""Times in the reader's zone: pages, the admin and emails show each person's own time with the
zone's abbreviation; sign-up takes the browser's zone; the account page changes it."""

from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import format_html
from django.utils.timesince import timesince
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.services import membership_add
from helpcenter.mail.models import OutboundEmail
from helpcenter.timezones import (
    RelativeTimeElements,
    local_time,
    relative_time,
    time_element,
    time_element_relative,
)
from tests.factories import OrganizationFactory, UserFactory, file_request
from tests.html import parse

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"


def filed_at_0402_utc():
    """04:02 UTC on 2 December of this year: 23:02 EST on 1 December in New York."""
    return datetime(timezone.now().year, 12, 2, 4, 2, tzinfo=UTC)


def day_before_in_new_york(moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(NEW_YORK))
    return f"{local:%a} 1 Dec, 23:02 EST"


# The one formatting home


def test_a_moment_reads_in_the_active_zone_with_its_abbreviation():
    moment = filed_at_0402_utc()
    with timezone.override(NEW_YORK):
        assert local_time(moment) == day_before_in_new_york(moment)
    with timezone.override("Europe/Berlin"):
        assert local_time(moment).endswith("2 Dec, 05:02 CET")


def test_another_year_is_named():
    moment = datetime(2019, 7, 1, 12, 0, tzinfo=UTC)
    with timezone.override(NEW_YORK):
        assert local_time(moment) == "Mon 1 Jul 2019, 08:00 EDT"


def test_the_repeated_hour_when_clocks_go_back_names_each_offset():
    summer = datetime(2019, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 in Berlin, twice that night
    with timezone.override("Europe/Berlin"):
        assert local_time(summer) == "Sun 27 Oct 2019, 02:30 CEST"
        assert local_time(summer + timedelta(hours=1)) == "Sun 27 Oct 2019, 02:30 CET"


def test_relative_phrases_say_how_near():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert relative_time(now + timedelta(minutes=40), now=now) == "in 40\xa0minutes"
    assert relative_time(now - timedelta(hours=2, minutes=5), now=now) == "2\xa0hours ago"
    assert relative_time(now + timedelta(seconds=20), now=now) == "just now"


def test_relative_phrases_count_weeks_then_calendar_months():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert relative_time(now - timedelta(days=27, hours=23), now=now) == "3\xa0weeks ago"
    assert relative_time(now + timedelta(days=3, hours=2), now=now) == "in 3\xa0days"
    assert relative_time(datetime(2026, 11, 2, 12, 0, tzinfo=UTC), now=now) == "1\xa0month ago"
    assert relative_time(datetime(2025, 11, 1, tzinfo=UTC), now=now) == "1\xa0year ago"


def test_the_element_carries_the_absolute_instant_and_the_phrase_when_near():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    with timezone.override(NEW_YORK):
        html = time_element(now + timedelta(minutes=40), relative=True, now=now)
        far = time_element(now - timedelta(days=30), relative=True, now=now)
    assert html.startswith('<time datetime="2026-12-02T12:40:00+00:00">')
    assert "07:40 EST</time>" in html and "(in 40\xa0minutes)" in html
    assert "ago" not in far


# The same words as Django's own formatters, which these functions stand in for on every row

PROPERTY = settings(max_examples=200, deadline=None)
ZONES = st.sampled_from(
    ["UTC", NEW_YORK, "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"]
)
# Around now, and two years either side: near moments get relative phrases, far ones the year.
NOW = datetime(2026, 3, 29, 0, 59, 30, tzinfo=UTC)  # a minute before Europe's clocks go forward
OFFSETS = st.one_of(
    st.timedeltas(min_value=timedelta(days=-10), max_value=timedelta(days=10)),
    st.timedeltas(min_value=timedelta(days=-800), max_value=timedelta(days=800)),
)


def django_local_time(value: datetime, now: datetime) -> str:
    local = timezone.localtime(value)
    this_year = timezone.localtime(now).year
    text = dateformat.format(local, "D j M, H:i T" if local.year == this_year else "D j M Y, H:i T")
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        # Django leaves the zone out in the hour that repeats when clocks go back ("02:05 ");
        # the help center names which of the two it is ("02:05 CEST", then "02:05 CET").
        text += local.tzname()
    return text


def django_relative_time(value: datetime, now: datetime) -> str:
    if abs(value - now) < timedelta(minutes=1):
        return "just now"
    if value > now:
        return translation.gettext("in %(span)s") % {"span": timesince(now, value, depth=1)}
    return translation.gettext("%(span)s ago") % {"span": timesince(value, now, depth=1)}


@PROPERTY
@given(zone=ZONES, offset=OFFSETS, fold=st.booleans())
@example(zone="Europe/Berlin", offset=datetime(2024, 10, 27, 0, 5, tzinfo=UTC) - NOW, fold=False)
@example(zone="Europe/Berlin", offset=datetime(2024, 10, 27, 1, 5, tzinfo=UTC) - NOW, fold=False)
def test_local_time_reads_as_djangos_date_format(zone, offset, fold):
    value = (NOW + offset).replace(fold=int(fold))
    with mock.patch.object(timezone, "now", lambda: NOW), timezone.override(zone):
        assert local_time(value) == django_local_time(value, NOW)


@PROPERTY
@given(offset=OFFSETS)
def test_relative_time_reads_as_djangos_timesince(offset):
    assert relative_time(NOW + offset, now=NOW) == django_relative_time(NOW + offset, NOW)


@PROPERTY
@given(zone=ZONES, offset=OFFSETS, relative=st.booleans())
def test_time_elements_are_djangos_escaped_html(zone, offset, relative):
    value = NOW + offset
    with mock.patch.object(timezone, "now", lambda: NOW), timezone.override(zone):
        element = format_html(
            '<time datetime="{}">{}</time>',
            value.astimezone(UTC).isoformat(),
            django_local_time(value, NOW),
        )
        if relative and abs(offset) < timedelta(days=7):
            element = format_html(
                '{} <span class="hc-relative">({})</span>',
                element,
                django_relative_time(value, NOW),
            )
        assert time_element(value, relative=relative) == element
        narrow = format_html(
            '<time datetime="{}" title="{}">{}</time>',
            value.astimezone(UTC).isoformat(),
            django_local_time(value, NOW),
            django_relative_time(value, NOW),
        )
        assert time_element_relative(value) == narrow
        assert RelativeTimeElements()(value) == narrow


# Pages, the admin and emails


@pytest.fixture
def new_yorker_request(enterprise_org, monkeypatch, django_capture_on_commit_callbacks):
    """A request filed at 04:02 UTC by a reporter who lives in New York."""
    organization, owner, cluster = enterprise_org
    owner.time_zone = NEW_YORK
    owner.save(update_fields=["time_zone"])
    moment = filed_at_0402_utc()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = file_request(reporter=owner, organization=organization, cluster=cluster)
    monkeypatch.undo()
    return ticket


def test_the_request_page_shows_the_filing_time_in_the_readers_zone(client, new_yorker_request):
    client.force_login(new_yorker_request.reporter)
    response = client.get(reverse("tickets:request-detail", args=[new_yorker_request.key]))
    created = parse(response.content).find("dd", data_testid="created-at").text
    assert created == day_before_in_new_york(new_yorker_request.created_at)
    assert 'datetime="' + new_yorker_request.created_at.isoformat() + '"' in response.text


def test_the_admin_shows_the_filing_time_in_the_engineers_zone(
    client, engineer, new_yorker_request
):
    engineer.time_zone = NEW_YORK
    engineer.save(update_fields=["time_zone"])
    client.force_login(engineer)
    response = client.get(reverse("admin:tickets_ticket_change", args=[new_yorker_request.pk]))
    assert day_before_in_new_york(new_yorker_request.created_at) in response.text


def test_the_email_shows_the_filing_time_in_the_recipients_zone(new_yorker_request):
    reporter_email = next(m for m in mail.outbox if m.to == [new_yorker_request.reporter.email])
    team_email = next(m for m in mail.outbox if m.to != [new_yorker_request.reporter.email])
    assert day_before_in_new_york(new_yorker_request.created_at) in reporter_email.body
    assert "2 Dec, 04:02 UTC" in team_email.body, "a team address reads UTC"


def test_an_anonymous_page_reads_utc(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"


# Where a person's zone comes from


def test_sign_up_keeps_the_browsers_zone_for_the_person_and_their_organization(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    page = client.get("/accounts/signup/")
    assert "data-browser-time-zone" in page.text and "js/time-zone.js" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {
                "full_name": "Dana Diaz",
                "email": "dana@newco.example",
                "organization_name": "Newco",
                "password": "a-long-unusual-passphrase",
                "time_zone": "Asia/Tokyo",
            },
        )
    link = next(
        line.strip() for line in mailoutbox[-1].body.splitlines() if "/signup/verify/" in line
    )
    client.post(link[link.index("/accounts/") :])
    user = User.objects.get(email="dana@newco.example")
    assert user.time_zone == "Asia/Tokyo"
    assert user.organizations.get().time_zone == "Asia/Tokyo"


def test_sign_up_drops_a_zone_that_is_not_one(client):
    client.post(
        "/accounts/signup/",
        {
            "full_name": "Dana Diaz",
            "email": "dana@newco.example",
            "organization_name": "Newco",
            "password": "a-long-unusual-passphrase",
            "time_zone": "Mars/Olympus_Mons",
        },
    )
    assert User.objects.get(email="dana@newco.example").time_zone == ""


def test_joining_an_organization_gives_a_person_without_a_zone_its_zone():
    organization = OrganizationFactory(time_zone="Europe/Berlin")
    newcomer, settled = UserFactory(), UserFactory(time_zone="Asia/Tokyo")
    membership_add(organization=organization, user=newcomer, actor=None)
    membership_add(organization=organization, user=settled, actor=None)
    newcomer.refresh_from_db()
    settled.refresh_from_db()
    assert (newcomer.time_zone, settled.time_zone) == ("Europe/Berlin", "Asia/Tokyo")


# The account page


def test_the_account_page_offers_the_organizations_zone_until_one_is_chosen(
    client, org_factory, django_assert_max_num_queries
):
    _organization, owner, _cluster = org_factory("basic", time_zone="Europe/Berlin")
    client.force_login(owner)
    with django_assert_max_num_queries(5):
        response = client.get("/account/")
    assert response.status_code == 200
    assert response.context["form"]["time_zone"].value() == "Europe/Berlin"


def test_choosing_a_zone_changes_every_page(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.post(
        "/account/", {"full_name": "Alice A.", "time_zone": NEW_YORK}, follow=True
    )
    owner.refresh_from_db()
    assert (owner.full_name, owner.time_zone) == ("Alice A.", NEW_YORK)
    assert "Times are now shown in America/New_York" in response.text
    reader_now = parse(response.content).find("strong", data_testid="reader-now").text
    assert reader_now.endswith(("EST", "EDT"))


def test_an_unknown_zone_is_refused_and_the_name_kept(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.post("/account/", {"full_name": "Alice A.", "time_zone": "Nowhere/City"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert 'value="Alice A."' in response.text
    owner.refresh_from_db()
    assert owner.time_zone == ""


def test_the_account_page_needs_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_admins_own_date_columns_name_the_readers_zone(admin_client, admin_user):
    """Lists Django renders itself (here the outbox) use the same zone and abbreviation."""
    admin_user.time_zone = NEW_YORK
    admin_user.save(update_fields=["time_zone"])
    moment = filed_at_0402_utc()
    OutboundEmail.objects.create(
        event_key="zone-test", to_email="x@customer.example", subject="Hello", text_body="Hi"
    )
    OutboundEmail.objects.update(created_at=moment)
    page = admin_client.get("/admin/mail/outboundemail/").text
    local = moment.astimezone(ZoneInfo(NEW_YORK))
    assert f"{local:%a} 1 Dec {local.year}, 23:02 EST" in page


@PROPERTY
@given(
    now=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    offset=st.timedeltas(min_value=timedelta(days=-1200), max_value=timedelta(days=1200)),
    zone=ZONES,
)
@example(  # across New York's spring change: a day on its clocks, 23 hours elapsed
    now=datetime(2024, 3, 11, tzinfo=UTC),
    offset=timedelta(days=-1, microseconds=1),
    zone="America/New_York",
)
def test_months_and_years_read_as_djangos_timesince_from_any_day(now, offset, zone):
    """Month ends, leap days and moments in another zone: the calendar count agrees."""
    value = (now + offset).astimezone(ZoneInfo(zone))
    assert relative_time(value, now=now) == django_relative_time(value, now)
