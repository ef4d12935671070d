"""Reading one raw RFC 5322 message: who wrote it to whom, which thread it answers, the text the
person typed (without the quoted history and signature), the files, and whether a machine sent it
(an auto-reply, bulk mail, or a bounce)."""

import mimetypes
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# Where our own emails say "answer above": everything from the marker down is the quote.
REPLY_MARKER = re.compile(r"^.*reply above this line.*$", re.IGNORECASE | re.MULTILINE)
# Languages the quote headers ("On ... wrote:", "Am ... schrieb ...:") are recognised in.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "ja"]
OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response)|auto:|"
    r"abwesen(d|heitsnotiz)|absence|vacation|on leave|away from (the )?office|"
    r"r[ée]ponse automatique|respuesta autom[aá]tica|risposta automatica)",
    re.IGNORECASE,
)
BULK_PRECEDENCE = {"bulk", "list", "junk"}
MACHINE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)
RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to")


@dataclass(frozen=True)
class InboundAttachment:
    name: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_email: str
    from_name: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    reply_text: str
    attachments: tuple[InboundAttachment, ...]
    automatic: str
    is_bounce: bool
    bounced_recipients: tuple[str, ...]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The Message-IDs this message answers, the closest first."""
        return (*self.in_reply_to, *reversed(self.references))


def _message_ids(value) -> tuple[str, ...]:
    return tuple(f"<{found}>" for found in MESSAGE_ID.findall(str(value or "")))


def _header(message: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "")).split())
    except (TypeError, ValueError, IndexError):  # a malformed header reads as empty
        return ""


def _addresses(message: EmailMessage, *names: str) -> tuple[str, ...]:
    values = []
    for name in names:
        try:
            values += [str(value) for value in message.get_all(name, [])]
        except (TypeError, ValueError, IndexError):
            continue
    found = []
    for _name, address in getaddresses(values):
        address = address.strip().lower()
        if "@" in address and address not in found:
            found.append(address)
    return tuple(found)


class _HtmlText(HTMLParser):
    """The readable text of an HTML body, without the quoted history mail clients nest in it
    (Gmail's gmail_quote, Apple Mail's and Thunderbird's blockquote type=cite, everything after
    Outlook's divRplyFwdMsg / appendonsend) and without scripts and styles."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}
    SKIP = {"script", "style", "head", "title"}
    QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "gmail_extra")
    QUOTE_IDS = ("divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container")
    VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr"}

    def __init__(self, *, strip_quotes: bool = True):
        super().__init__(convert_charrefs=True)
        self.strip_quotes = strip_quotes
        self.parts: list[str] = []
        self.skip_depth = 0
        self.stopped = False

    def handle_starttag(self, tag, attrs):
        if self.stopped:
            return
        attributes = {name: (value or "") for name, value in attrs}
        if tag in self.VOID:
            if tag == "br" and not self.skip_depth:
                self.parts.append("\n")
            return
        if self.strip_quotes and attributes.get("id", "").lower() in self.QUOTE_IDS:
            self.stopped = True
            return
        classes = attributes.get("class", "").lower()
        quote = self.strip_quotes and (
            tag == "blockquote" or any(name in classes for name in self.QUOTE_CLASSES)
        )
        if self.skip_depth or tag in self.SKIP or quote:
            self.skip_depth += 1
            return
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if self.stopped or tag in self.VOID:
            return
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not (self.stopped or self.skip_depth):
            self.parts.append(data)

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str, *, strip_quotes: bool = True) -> str:
    parser = _HtmlText(strip_quotes=strip_quotes)
    parser.feed(html)
    parser.close()
    return parser.text()


def reply_text(text: str) -> str:
    """What the person wrote: above a "Reply above this line" marker, without the quoted
    history ("On ... wrote:", Outlook's "From: ... Sent:" block, "> " lines) and without the
    signature ("-- ", "Best regards", "Sent from my iPhone"). The whole text when stripping
    would leave nothing (a reply written between the quoted lines)."""
    marker = REPLY_MARKER.search(text)
    above = text[: marker.start()] if marker else text
    parsed = EmailReplyParser(languages=REPLY_LANGUAGES).read(above)
    latest = parsed.replies[0].body.strip() if parsed.replies else ""
    latest = "\n".join(line for line in latest.splitlines() if not line.startswith(">")).strip()
    return latest or above.strip() or text.strip()


def _part_text(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError):
        return part.get_payload(decode=True).decode("utf-8", errors="replace")


def _bodies(message: EmailMessage) -> tuple[str, str]:
    """The whole text and the person's reply, from text/plain or else from text/html."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        text = _part_text(plain).replace("\r\n", "\n").strip()
        return text, reply_text(text)
    html = message.get_body(preferencelist=("html",))
    if html is None:
        return "", ""
    markup = _part_text(html)
    return html_to_text(markup, strip_quotes=False), reply_text(html_to_text(markup))


def _attachments(message: EmailMessage) -> tuple[InboundAttachment, ...]:
    """Files the sender attached; inline images an HTML body shows (signature logos) are not."""
    html = message.get_body(preferencelist=("html",))
    shown = set(re.findall(r"cid:([^\"'\s>]+)", _part_text(html))) if html is not None else set()
    found = []
    for index, part in enumerate(message.walk(), start=1):
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        disposition = part.get_content_disposition()
        name = part.get_filename()
        if disposition != "attachment" and not (disposition == "inline" and name):
            continue
        content_id = (part.get("Content-ID") or "").strip("<> ")
        if disposition == "inline" and content_id and content_id in shown:
            continue
        content_type = part.get_content_type()
        if not name:
            name = f"attachment-{index}{mimetypes.guess_extension(content_type) or '.bin'}"
        found.append(
            InboundAttachment(
                name=name, content=part.get_payload(decode=True) or b"", content_type=content_type
            )
        )
    return tuple(found)


def _delivery_failures(message: EmailMessage) -> tuple[bool, tuple[str, ...]]:
    """A delivery status notification (RFC 3464) and the recipients it says failed for good."""
    failed = list(_addresses(message, "x-failed-recipients"))
    is_report = (
        message.get_content_type() == "multipart/report"
        and message.get_param("report-type", "").lower() == "delivery-status"
    )
    if is_report:
        for part in message.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in part.get_payload():
                if str(block.get("Action", "")).strip().lower() != "failed":
                    continue
                recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient"))
                address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
                if "@" in address and address not in failed:
                    failed.append(address)
    return is_report or bool(failed), tuple(failed)


def _automatic(message: EmailMessage, *, from_email: str, subject: str, is_bounce: bool) -> str:
    """Why a machine sent this message ("" when a person did): no reply, no request."""
    if is_bounce:
        return "delivery status notification"
    auto_submitted = _header(message, "auto-submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(message, "precedence").lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if _header(message, name):
            return name
    if _header(message, "list-id") or _header(message, "list-unsubscribe"):
        return "mailing list"
    if _header(message, "return-path") == "<>":
        return "null sender"
    if MACHINE_SENDERS.match(from_email):
        return f"sent by {from_email}"
    if OUT_OF_OFFICE_SUBJECT.match(subject):
        return "out-of-office subject"
    return ""


def parse_email(raw: bytes) -> ParsedEmail:
    message = message_from_bytes(raw, policy=policy.default)
    from_name, from_email = parseaddr(_header(message, "from"))
    from_email = from_email.strip().lower()
    subject = _header(message, "subject")
    is_bounce, bounced = _delivery_failures(message)
    text, reply = _bodies(message)
    return ParsedEmail(
        message_id=next(iter(_message_ids(_header(message, "message-id"))), ""),
        in_reply_to=_message_ids(_header(message, "in-reply-to")),
        references=_message_ids(_header(message, "references")),
        from_email=from_email,
        from_name=from_name,
        recipients=_addresses(message, *RECIPIENT_HEADERS),
        subject=subject,
        text=text,
        reply_text=reply,
        attachments=() if is_bounce else _attachments(message),
        automatic=_automatic(message, from_email=from_email, subject=subject, is_bounce=is_bounce),
        is_bounce=is_bounce,
        bounced_recipients=bounced,
    )
