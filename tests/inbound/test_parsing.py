"""What is read out of a message: the person's text without the quoted history and signature,
the files, and whether a machine sent it."""

import pytest

from helpcenter.inbound.parsing import parse_email
from tests.inbound import messages

ALICE = "Alice Anderson <alice@acme.example>"
TO = "support+1.2.abc@support.example"
TEXT = "The deleted cluster was acme-old, removed on 2 October."


@pytest.mark.parametrize(
    "shape",
    [
        messages.gmail_reply,
        messages.outlook_reply,
        messages.apple_reply,
        messages.html_only_reply,
    ],
)
def test_reply_text_is_what_the_person_wrote(shape):
    parsed = parse_email(shape(sender=ALICE, to=TO, subject="Re: [BILL-1] Invoice", text=TEXT))

    assert parsed.reply_text == TEXT
    assert messages.QUOTED in parsed.text  # the original keeps the history
    assert parsed.automatic == ""
    assert parsed.from_email == "alice@acme.example"
    assert parsed.recipients == (TO,)


def test_reply_above_this_line_marker_cuts_the_quote():
    parsed = parse_email(
        messages.plain_message(
            sender=ALICE,
            to=TO,
            subject="Re: x",
            text="Fixed now.\n\n-- Reply above this line --\nHello Alice, an engineer wrote...",
        )
    )
    assert parsed.reply_text == "Fixed now."


def test_signature_after_dash_dash_is_dropped():
    parsed = parse_email(
        messages.plain_message(
            sender=ALICE, to=TO, subject="Re: x", text="Works now.\n\n-- \nAlice\nCTO, Acme"
        )
    )
    assert parsed.reply_text == "Works now."


def test_thread_headers_are_read():
    raw = messages.gmail_reply(
        sender=ALICE, to=TO, subject="Re: x", text="ok", in_reply_to="<n1@support.example>"
    )
    parsed = parse_email(raw)
    assert parsed.in_reply_to == ("<n1@support.example>",)
    assert parsed.thread_ids[0] == "<n1@support.example>"
    assert parsed.message_id.startswith("<") and parsed.message_id.endswith("@acme.example>")


def test_attachments_are_read_with_their_names():
    raw = messages.gmail_reply(
        sender=ALICE,
        to=TO,
        subject="Re: x",
        text="Screenshot attached",
        attachments=[("screen.png", messages.PNG, "image", "png")],
    )
    (attachment,) = parse_email(raw).attachments
    assert (attachment.name, attachment.content, attachment.content_type) == (
        "screen.png",
        messages.PNG,
        "image/png",
    )


def test_out_of_office_is_automatic():
    parsed = parse_email(messages.out_of_office(sender=ALICE, to=TO, subject="[BILL-1] Invoice"))
    assert parsed.automatic == "Auto-Submitted: auto-replied"


@pytest.mark.parametrize(
    ("headers", "subject", "why"),
    [
        ({"Precedence": "bulk"}, "Newsletter", "Precedence: bulk"),
        ({"Precedence": "junk"}, "Offer", "Precedence: junk"),
        ({"X-Autoreply": "yes"}, "Re: x", "x-autoreply"),
        ({"List-Id": "<ops.lists.acme.example>"}, "Digest", "mailing list"),
        ({}, "Out of Office: back Monday", "out-of-office subject"),
        ({}, "Abwesenheitsnotiz: Urlaub", "out-of-office subject"),
    ],
)
def test_bulk_and_auto_replies_are_automatic(headers, subject, why):
    raw = messages.plain_message(
        sender=ALICE,
        to=TO,
        subject=subject,
        text="...",
        **{k.replace("-", "_"): v for k, v in headers.items()},
    )
    assert parse_email(raw).automatic == why


def test_a_person_replying_to_an_auto_submitted_no_is_not_automatic():
    raw = messages.plain_message(
        sender=ALICE, to=TO, subject="Re: x", text="hi", Auto_Submitted="no"
    )
    assert parse_email(raw).automatic == ""


def test_bounce_names_the_failed_recipient():
    parsed = parse_email(messages.bounce(failed_recipient="alice@acme.example"))
    assert parsed.is_bounce
    assert parsed.bounced_recipients == ("alice@acme.example",)
    assert parsed.attachments == ()


def test_outlook_desktop_html_quote_without_markers_is_dropped():
    html = (
        "<html><body><div class=WordSection1><p class=MsoNormal>Yes, every night at 02:00."
        "<o:p></o:p></p><p class=MsoNormal>Kind regards,<br>Alice<o:p></o:p></p>"
        "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
        "<p class=MsoNormal><b>From:</b> TiDB Cloud Help Center &lt;help@support.example&gt;"
        "<br><b>Sent:</b> Monday, December 2, 2026 10:04 AM<br><b>To:</b> Alice<br>"
        "<b>Subject:</b> [BILL-1] Invoice<o:p></o:p></p></div><p class=MsoNormal>"
        f"{messages.QUOTED}<o:p></o:p></p></div></body></html>"
    )
    raw = messages.plain_message(sender=ALICE, to=TO, subject="RE: [BILL-1] Invoice", text="x")
    raw = raw.replace(b"text/plain", b"text/html").replace(b"\nx\n", f"\n{html}\n".encode())
    assert parse_email(raw).reply_text == "Yes, every night at 02:00."


def test_a_german_gmail_quote_header_is_recognised():
    parsed = parse_email(
        messages.plain_message(
            sender=ALICE,
            to=TO,
            subject="AW: [BILL-1]",
            text="Danke, geht wieder.\n\nAm Mo., 2. Dez. 2026 um 10:04 Uhr schrieb Help "
            "<help@support.example>:\n> Bitte neu starten.\n",
        )
    )
    assert parsed.reply_text == "Danke, geht wieder."
