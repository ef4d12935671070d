"""A throwaway Dovecot IMAP server for the e2e tests: Debian's dovecot-imapd (installed by
`make test`), configured under a temporary directory, plain IMAP on 127.0.0.1 and a free port,
one passwd-file user, maildirs in the same directory. Nothing outside the directory is touched.

Run as an ordinary user, every Dovecot process runs as that user. Run as root (CI), Dovecot
refuses root for its login and mail processes, so those run as the package's own unprivileged
`dovenull` and `dovecot` users, and the directories they write are handed to them."""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from imap_tools import MailBoxUnencrypted

from tests.servers import free_port

DOVECOT = "/usr/sbin/dovecot"
START_SECONDS = 15


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    @property
    def url(self) -> str:
        return (
            f"imap://{self.user.replace('@', '%40')}:{self.password}@{self.host}:{self.port}/INBOX"
        )

    def mailbox(self):
        return MailBoxUnencrypted(self.host, self.port).login(self.user, self.password, "INBOX")

    def deliver(self, *raw_messages: bytes) -> None:
        """IMAP APPEND, as a delivery agent would file each message into the inbox."""
        with self.mailbox() as mailbox:
            for raw in raw_messages:
                mailbox.append(raw, "INBOX")

    def folder_counts(self) -> dict[str, int]:
        with self.mailbox() as mailbox:
            return {
                name: mailbox.folder.status(name, ["MESSAGES"])["MESSAGES"]
                for name in ("INBOX", "Processed", "Rejected")
                if mailbox.folder.exists(name)
            }

    def empty(self) -> None:
        with self.mailbox() as mailbox:
            for name in ("Processed", "Rejected", "INBOX"):
                if mailbox.folder.exists(name):
                    mailbox.folder.set(name)
                    mailbox.delete(mailbox.uids("ALL"))


def _config(root: Path, port: int, *, user: str, group: str, login_user: str) -> str:
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={user} gid={group} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            return connection.recv(64).startswith(b"* OK")
    except OSError:
        return False


@contextmanager
def dovecot(user: str = "support@support.example", password: str = "imap-test-secret"):
    if not os.path.exists(DOVECOT):
        raise RuntimeError(f"{DOVECOT} is missing: `make test` installs Debian's dovecot-imapd.")
    root = Path(tempfile.mkdtemp(prefix="hc-dovecot-"))
    os.chmod(root, 0o755)
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir()
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n")
    if os.geteuid() == 0:
        mail_user, login_user = "dovecot", "dovenull"
        owner = pwd.getpwnam(mail_user)
        for name in ("mail", "home"):
            os.chown(root / name, owner.pw_uid, owner.pw_gid)
        group = mail_user
    else:
        mail_user = login_user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, user=mail_user, group=group, login_user=login_user))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=open(root / "stderr.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                logs = [(root / n) for n in ("stderr.log", "dovecot.log") if (root / n).exists()]
                raise RuntimeError(
                    "dovecot did not start:\n" + "\n".join(p.read_text() for p in logs)
                )
            time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, user, password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
