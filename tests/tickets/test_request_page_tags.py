"""The request page's tags write its lists as their template markup did."""

from django.template import Context, Template

from tests.factories import UserFactory, file_request
from tickets import services
from tickets.forms import SatisfactionForm
from tickets.models import Attachment, TicketEvent
from tickets.selectors import request_page_for

# The request page's Activity as template markup, before it was written in Python.
TEMPLATE_MARKUP = """{% load when i18n %}
    {% for kind, comment in activity %}
    {% if kind == "status" %}
    <p class="hc-activity-status small text-body-secondary mb-2 ps-1" data-testid="status-change"><i aria-hidden="true" class="bi bi-arrow-left-right me-1"></i>{% if comment.actor %}{% if comment.actor_is_support %}{% blocktranslate trimmed with name=comment.actor.display_name status=comment.to_value %}{{ name }} from Support set the status to {{ status }}{% endblocktranslate %}{% else %}{% blocktranslate trimmed with name=comment.actor.display_name status=comment.to_value %}{{ name }} set the status to {{ status }}{% endblocktranslate %}{% endif %}{% else %}{% blocktranslate trimmed with status=comment.to_value %}The status was set to {{ status }}{% endblocktranslate %}{% endif %} · {{ comment.created_at|when:"relative" }}</p>
    {% else %}
    <div class="card p-3 mb-2 hc-comment{% if comment.author_is_support %} hc-comment-support{% endif %}" data-testid="comment">
      <div class="d-flex align-items-center gap-2 mb-1">
        <span class="hc-avatar hc-avatar-sm">{{ comment.author.initials }}</span>
        <strong>{{ comment.author.display_name }}</strong>
        {% if comment.author_is_support %}<span class="badge text-bg-primary">{% translate "TiDB Cloud Support" %}</span>{% endif %}
        {% if comment.ticket_id != ticket.pk %}<span class="badge text-bg-secondary">{% blocktranslate trimmed with key=comment.ticket.key %}from {{ key }}{% endblocktranslate %}</span>{% endif %}
        <span class="text-body-secondary small ms-auto">{{ comment.created_at|when:"relative" }}</span>
      </div>
      <div class="hc-pre-wrap">{{ comment.body }}</div>
      {% if comment.attachment_list %}
      <ul class="list-inline mt-2 mb-0">
        {% for attachment in comment.attachment_list %}
        <li class="list-inline-item"><a class="btn btn-sm btn-light border" href="{% url 'tickets:attachment-download' ticket.key attachment.pk %}"><i aria-hidden="true" class="bi bi-paperclip"></i> {{ attachment.original_name }} <span class="text-body-secondary">({{ attachment.size|filesizeformat }})</span></a></li>
        {% endfor %}
      </ul>
      {% endif %}
    </div>
    {% endif %}
    {% endfor %}
"""  # noqa: E501


def _folded(html: str) -> str:
    return " ".join(html.split())


def test_the_activity_is_written_as_its_template_markup_wrote_it(enterprise_org, engineer):
    organization, owner, cluster = enterprise_org
    engineer.full_name = "Sam <Support>"
    engineer.save(update_fields=["full_name"])
    ticket = file_request(reporter=owner, organization=organization, cluster=cluster)
    duplicate = file_request(reporter=owner, organization=organization, summary="Again")
    services.ticket_comment_add(ticket=duplicate, author=owner, body="Same & <b>worse</b>")
    services.ticket_merge(duplicate=duplicate, target=ticket, actor=engineer)
    answer = services.ticket_comment_add(ticket=ticket, author=engineer, body="See the 'log'")
    for name, size in (("a&b.log", 2048), ('"quoted".txt', 12)):
        Attachment.objects.create(
            comment=answer, file="attachments/x", original_name=name, content_type="x", size=size
        )
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="waiting_for_customer")
    services.ticket_comment_add(ticket=ticket, author=owner, body="Here it is")
    services.ticket_status_change(ticket=ticket, actor=owner, to_status="resolved")
    TicketEvent.objects.create(
        ticket=ticket, actor=None, kind=TicketEvent.Kind.STATUS, to_value="Closed <auto>"
    )
    activity = request_page_for(user=owner, key=ticket.key).activity
    assert [kind for kind, _entry in activity].count("status") == 4
    context = Context({"activity": activity, "ticket": ticket})

    written = Template("{% load request_page %}{% activity_entries activity ticket %}")
    assert _folded(written.render(context)) == _folded(Template(TEMPLATE_MARKUP).render(context))


COLLEAGUES_MARKUP = """{% load l10n %}{% localize off %}{% for person in colleagues %}<div class="form-check"><input type="checkbox" class="form-check-input" name="participants" value="{{ person.pk }}" id="id_participants_{{ forloop.counter0 }}"{% if person in participants %} checked{% endif %}> <label for="id_participants_{{ forloop.counter0 }}" class="form-check-label">{{ person.display_name }} ({{ person.email }})</label></div>{% endfor %}{% endlocalize %}"""  # noqa: E501
RATING_MARKUP = """{% load l10n %}{% localize off %}{% for value, label in rating.choices %}<div class="form-check"><input type="radio" class="form-check-input" name="rating" value="{{ value }}" id="id_rating_{{ forloop.counter0 }}" required> <label for="id_rating_{{ forloop.counter0 }}" class="form-check-label">{{ label }}</label></div>{% endfor %}{% endlocalize %}"""  # noqa: E501


def test_the_colleagues_are_written_as_their_template_markup_wrote_them(db):
    colleagues = [
        UserFactory(full_name="Ann <&> O'Neil"),
        UserFactory(full_name=""),
        UserFactory(full_name="Bo"),
    ]
    context = Context({"colleagues": colleagues, "participants": colleagues[1:2]})
    written = Template("{% load request_page %}{% colleague_checkboxes colleagues participants %}")
    assert written.render(context) == Template(COLLEAGUES_MARKUP).render(context)
    assert written.render(context).count(" checked") == 1


def test_the_rating_choices_are_written_as_their_template_markup_wrote_them():
    context = Context({"rating": SatisfactionForm.base_fields["rating"]})
    written = Template("{% load request_page %}{% rating_radios %}")
    assert written.render(context) == Template(RATING_MARKUP).render(context)
