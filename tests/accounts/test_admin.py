"""Who reaches the admin at all, and the admin of people, organizations, the email outbox and
the plans (the plans admin is checked here too: it is read-only apart from the plan data)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, OutboundEmail, User
from plans.models import PaymentMethod, Plan, PlanChange, Subscription
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(db):
    return StaffFactory(email="finance@support.example")


@pytest.fixture
def superuser(db):
    return StaffFactory(email="root@support.example", is_superuser=True)


@pytest.fixture
def who(request, client, basic_org, outsider, engineer):
    users = {
        "anonymous": None,
        "customer": basic_org[1],
        "outsider": outsider,
        "engineer": engineer,
    }
    user = users[request.param]
    if user is not None:
        client.force_login(user)
    return user


# Who reaches /admin/


@pytest.mark.parametrize(
    ("who", "reaches"),
    [("anonymous", False), ("customer", False), ("outsider", True), ("engineer", True)],
    indirect=["who"],
)
def test_admin_index_access(client, who, reaches):
    response = client.get("/admin/")
    if reaches:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_customer_cannot_log_in_to_the_admin(client, basic_org):
    customer = basic_org[1]
    response = client.post(
        "/admin/login/?next=/admin/", {"username": customer.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "staff account" in response.text
    assert client.get("/admin/").status_code == 302


def test_staff_outside_the_group_sees_no_tickets_on_the_index(client, outsider):
    client.force_login(outsider)
    page = client.get("/admin/").text
    assert "Tickets" not in page
    assert "You don’t have permission to view or edit anything." in page


def test_engineer_sees_what_triage_needs_and_no_more(client, engineer):
    client.force_login(engineer)
    page = client.get("/admin/").text
    for model in ["Tickets", "Canned responses", "Organizations", "Users", "Plan changes"]:
        assert model in page, model
    for model in ["Outbound emails", "Groups", "Payment methods", "Sales inquiries"]:
        assert model not in page, model
    assert client.get("/admin/accounts/outboundemail/").status_code == 403
    assert client.get("/admin/accounts/user/add/").status_code == 403


# Users: the email address is the login


def test_superuser_adds_a_user_by_email(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Customer.Example",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase-42",
            "password2": "a-long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 302, response.text
    user = User.objects.get(email="new.person@customer.example")
    assert user.check_password("a-long-unusual-passphrase-42")
    assert not user.is_staff


def test_user_email_is_unique_regardless_of_case(client, superuser, basic_org):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": basic_org[1].email.upper(),
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase-42",
            "password2": "a-long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact=basic_org[1].email).count() == 1


def test_user_pages_render_and_search_by_email(client, superuser, basic_org):
    customer = basic_org[1]
    client.force_login(superuser)
    listing = client.get(reverse("admin:accounts_user_changelist"), {"q": customer.email[:8]})
    assert customer.email in listing.text
    page = client.get(reverse("admin:accounts_user_change", args=[customer.pk]))
    assert page.status_code == 200
    assert basic_org[0].name in page.text  # memberships inline
    assert 'name="username"' not in page.text


# Organizations, members, clusters


def test_superuser_edits_an_organization_with_members_and_clusters(client, superuser, basic_org):
    organization, owner, cluster = basic_org
    client.force_login(superuser)
    url = reverse("admin:accounts_organization_change", args=[organization.pk])
    page = client.get(url).text
    assert 'name="memberships-0-role"' in page
    assert 'name="clusters-0-name"' in page
    assert "Asia/Tokyo" in page  # the time-zone choices


EMPTY_INLINES = {
    f"{prefix}-{field}": "0"
    for prefix in ("memberships", "clusters", "plan_changes", "tickets")
    for field in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def test_organization_time_zone_must_be_a_real_zone(client, superuser, basic_org):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_organization_add"),
        {
            "name": "Nowhere Inc",
            "time_zone": "Mars/Olympus_Mons",
            **EMPTY_INLINES,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/membership/",
        "/admin/accounts/cluster/",
        "/admin/accounts/organization/",
        "/admin/accounts/user/",
    ],
)
def test_engineer_views_people_and_organizations(client, engineer, basic_org, url):
    client.force_login(engineer)
    response = client.get(url)
    assert response.status_code == 200
    assert basic_org[0].name in response.text or basic_org[1].email in response.text


def test_organization_autocomplete(client, engineer, basic_org):
    client.force_login(engineer)
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "accounts",
            "model_name": "cluster",
            "field_name": "organization",
            "term": basic_org[0].name[-3:],
        },
    )
    assert response.status_code == 200
    assert basic_org[0].name in {result["text"] for result in response.json()["results"]}


# The email outbox


@pytest.fixture
def outbox_rows(db):
    def row(status, to_email):
        return OutboundEmail.objects.create(
            event_key=f"test:{to_email}",
            to_email=to_email,
            subject="Your request",
            text_body="Hello",
            status=status,
            attempts=6 if status == "failed" else 1,
            last_error="SMTPServerDisconnected" if status == "failed" else "",
        )

    return {
        "failed": row("failed", "failed@customer.example"),
        "sent": row("sent", "sent@customer.example"),
    }


def test_outbox_lists_status_and_filters_by_it(client, superuser, outbox_rows):
    client.force_login(superuser)
    page = client.get("/admin/accounts/outboundemail/", {"status__exact": "failed"}).text
    assert "failed@customer.example" in page
    assert "sent@customer.example" not in page
    assert "Failed" in page


def test_resend_action_sends_failed_emails_again(
    client, superuser, outbox_rows, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/accounts/outboundemail/",
            {
                "action": "resend",
                "_selected_action": [row.pk for row in outbox_rows.values()],
                "index": 0,
            },
            follow=True,
        )
    assert "1 email will be sent again." in response.text
    assert "1 email was skipped: only failed emails are resent." in response.text
    failed = OutboundEmail.objects.get(pk=outbox_rows["failed"].pk)
    assert failed.status == "sent"
    assert [message.to for message in mail.outbox] == [["failed@customer.example"]]


def test_outbox_is_read_only_and_resend_needs_permission(client, outsider, outbox_rows):
    outsider.user_permissions.add(Permission.objects.get(codename="view_outboundemail"))
    client.force_login(outsider)
    page = client.get("/admin/accounts/outboundemail/")
    assert page.status_code == 200
    assert 'value="resend"' not in page.text
    row = outbox_rows["failed"]
    detail = client.get(reverse("admin:accounts_outboundemail_change", args=[row.pk]))
    assert 'name="subject"' not in detail.text
    assert client.get("/admin/accounts/outboundemail/add/").status_code == 403


# Plans


def test_plan_page_has_portals_and_response_targets(client, superuser):
    client.force_login(superuser)
    plan = Plan.objects.get(code="enterprise")
    page = client.get(reverse("admin:plans_plan_change", args=[plan.pk])).text
    assert 'name="portals-0-portal"' in page
    assert 'name="response_targets-0-minutes"' in page


def test_subscriptions_history_and_cards_are_read_only(client, superuser, enterprise_org):
    organization = enterprise_org[0]
    PlanChange.objects.create(
        organization=organization,
        from_plan=Plan.objects.get(code="basic"),
        to_plan=Plan.objects.get(code="enterprise"),
        changed_by=enterprise_org[1],
        reason="Self-serve upgrade",
    )
    card = PaymentMethod.objects.create(
        organization=organization,
        brand="Visa",
        last4="4242",
        exp_month=12,
        exp_year=timezone.now().year + 2,
        holder_name="Pat Owner",
        gateway_reference="tok_test_1",
    )
    client.force_login(superuser)
    for model, obj in [
        ("subscription", Subscription.objects.get(organization=organization)),
        ("planchange", PlanChange.objects.get(organization=organization)),
        ("paymentmethod", card),
    ]:
        assert client.get(f"/admin/plans/{model}/add/").status_code == 403
        page = client.get(reverse(f"admin:plans_{model}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert 'type="submit" value="Save"' not in page.text
    assert "4242" in client.get("/admin/plans/paymentmethod/").text


def test_plan_history_shows_on_the_organization(client, engineer, enterprise_org):
    organization, owner, _cluster = enterprise_org
    PlanChange.objects.create(
        organization=organization,
        from_plan=Plan.objects.get(code="developer"),
        to_plan=Plan.objects.get(code="enterprise"),
        changed_by=owner,
        reason="Needed 7x24",
    )
    client.force_login(engineer)
    page = client.get(reverse("admin:accounts_organization_change", args=[organization.pk]))
    assert "Needed 7x24" in page.text
    assert "Developer" in page.text


def test_trial_shows_next_to_the_plan(client, engineer, developer_org):
    organization = developer_org[0]
    Subscription.objects.filter(organization=organization).update(
        trial_ends_at=timezone.now() + timedelta(days=10)
    )
    client.force_login(engineer)
    page = client.get("/admin/accounts/organization/").text
    assert "Developer (trial until" in page


def test_membership_roles_show_on_the_membership_list(client, engineer, basic_org, member_of):
    colleague = member_of(basic_org[0])
    client.force_login(engineer)
    page = client.get("/admin/accounts/membership/", {"role__exact": Membership.Role.MEMBER})
    assert colleague.email in page.text
    assert basic_org[1].email not in page.text
