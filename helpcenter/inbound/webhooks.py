"""Inbound mail from a provider's webhook, through django-anymail: `/inbound/<provider>/`.

Anymail authenticates the POST its way (HTTP basic auth with ANYMAIL["WEBHOOK_SECRET"], plus the
provider's signature where it has one, e.g. Mailgun's signing key) and parses the payload; the
message then goes through `inbound_email_receive` like one from the IMAP mailbox. Only providers
that post the whole message are offered: the others would make the request call their API."""

from anymail.signals import inbound
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from helpcenter.inbound.models import InboundEmail
from helpcenter.inbound.services import inbound_email_receive

PROVIDERS = {
    "mailgun": MailgunInboundWebhookView.as_view(),
    "mailjet": MailjetInboundWebhookView.as_view(),
    "postmark": PostmarkInboundWebhookView.as_view(),
    "sparkpost": SparkPostInboundWebhookView.as_view(),
}


@receiver(inbound, dispatch_uid="helpcenter.inbound.webhook")
def _received_from_provider(sender, event, esp_name, **kwargs):
    """The envelope recipient (a Bcc, or a reply address the headers do not show) is kept as
    X-Original-To, where the handler looks for reply tokens as in a mailbox's message."""
    message = event.message
    envelope_recipient = getattr(message, "envelope_recipient", None)
    if envelope_recipient and "X-Original-To" not in message:
        message["X-Original-To"] = envelope_recipient
    inbound_email_receive(raw=message.as_bytes(), source=InboundEmail.Source.WEBHOOK)


@csrf_exempt
@login_not_required
def inbound_webhook(request, provider: str):
    """404 for an unknown provider, and for every provider until a webhook secret is set:
    anymail would otherwise accept unauthenticated posts (with a warning)."""
    view = PROVIDERS.get(provider)
    if view is None or not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        raise Http404("No such inbound webhook.")
    try:
        return view(request)
    except ImproperlyConfigured as exc:  # the provider's own key is not set
        raise Http404("This inbound webhook is not configured.") from exc
