"""Real RFC 5322 messages as mail clients write them: replies from Gmail, Outlook and Apple Mail
with their quoted history, an HTML-only reply, attachments, an out-of-office reply and a bounce
(a delivery status notification)."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

NOTIFICATION_FROM = "TiDB Cloud Help Center <help@support.example>"
QUOTED = "Hi, could you tell us the name of the deleted cluster?"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _base(*, sender: str, to: str, subject: str, in_reply_to: str = "", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 12, 2, 15, 4, tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">"))
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def gmail_reply(*, sender, to, subject, text, in_reply_to="", attachments=()) -> bytes:
    message = _base(sender=sender, to=to, subject=subject, in_reply_to=in_reply_to)
    message.set_content(
        f"{text}\n\nOn Mon, Dec 2, 2026 at 10:04 AM TiDB Cloud Help Center <help@support.example> "
        f"wrote:\n\n> {QUOTED}\n>\n> Reply on the request page: https://help.example/requests/\n"
    )
    message.add_alternative(
        f'<div dir="ltr">{text}</div><br><div class="gmail_quote"><div dir="ltr" '
        'class="gmail_attr">On Mon, Dec 2, 2026 at 10:04 AM TiDB Cloud Help Center &lt;'
        'help@support.example&gt; wrote:<br></div><blockquote class="gmail_quote" '
        f'style="margin:0px 0px 0px 0.8ex">{QUOTED}</blockquote></div>',
        subtype="html",
    )
    for name, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def outlook_reply(*, sender, to, subject, text, in_reply_to="") -> bytes:
    message = _base(
        sender=sender, to=to, subject=subject, in_reply_to=in_reply_to, Thread_Index="AQHZ1234"
    )
    message.set_content(
        f"{text}\n\nBest regards,\nAlice Anderson\nAcme Corp\n\n"
        "________________________________\n"
        f"From: {NOTIFICATION_FROM}\nSent: Monday, December 2, 2026 10:04 AM\n"
        f"To: {sender}\nSubject: {subject}\n\n{QUOTED}\n"
    )
    message.add_alternative(
        f'<html><body><div style="font-family:Calibri">{text}</div><div>Best regards,<br>Alice '
        'Anderson</div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" '
        f'dir="ltr"><b>From:</b> {NOTIFICATION_FROM}<br><b>Sent:</b> Monday, December 2, 2026'
        f"</div><div>{QUOTED}</div></body></html>",
        subtype="html",
    )
    return message.as_bytes()


def apple_reply(*, sender, to, subject, text, in_reply_to="") -> bytes:
    message = _base(sender=sender, to=to, subject=subject, in_reply_to=in_reply_to)
    message.set_content(
        f"{text}\n\nSent from my iPhone\n\n> On 2 Dec 2026, at 10:04, TiDB Cloud Help Center "
        f"<help@support.example> wrote:\n>\n> {QUOTED}\n"
    )
    message.add_alternative(
        f'<html><body dir="auto"><div>{text}</div><div><br><div>Sent from my iPhone</div><div>'
        '<br><blockquote type="cite">On 2 Dec 2026, at 10:04, TiDB Cloud Help Center wrote:'
        f"<br><br>{QUOTED}</blockquote></div></div></body></html>",
        subtype="html",
    )
    return message.as_bytes()


def html_only_reply(*, sender, to, subject, text, in_reply_to="") -> bytes:
    message = _base(sender=sender, to=to, subject=subject, in_reply_to=in_reply_to)
    message.set_content(
        f'<html><body><p>{text}</p><p>-- Reply above this line --</p><div class="gmail_quote">'
        f"<blockquote>{QUOTED}</blockquote></div></body></html>",
        subtype="html",
    )
    return message.as_bytes()


def plain_message(*, sender, to, subject, text, attachments=(), **headers) -> bytes:
    message = _base(sender=sender, to=to, subject=subject, **headers)
    message.set_content(text)
    for name, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def out_of_office(*, sender, to, subject) -> bytes:
    return plain_message(
        sender=sender,
        to=to,
        subject=f"Automatic reply: {subject}",
        text="I am out of the office until 9 December with limited access to email.",
        Auto_Submitted="auto-replied",
        X_Auto_Response_Suppress="All",
    )


def bounce(*, failed_recipient: str, to: str = "help@support.example") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes it."""
    boundary = "DSN-boundary-42"
    return (
        "From: MAILER-DAEMON@mx.acme.example (Mail Delivery System)\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{failed_recipient}@mx.acme.example>\r\n"
        "Date: Mon, 02 Dec 2026 15:04:00 +0000\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.acme.example.\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        f"<{failed_recipient}>: host mx.acme.example said: 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.acme.example\r\n"
        "Arrival-Date: Mon,  2 Dec 2026 15:03:59 +0000 (UTC)\r\n\r\n"
        f"Final-Recipient: rfc822; {failed_recipient}\r\n"
        f"Original-Recipient: rfc822;{failed_recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        "From: TiDB Cloud Help Center <help@support.example>\r\n"
        f"To: {failed_recipient}\r\n"
        "Subject: [BILL-1] Invoice shows charges for a deleted cluster\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
