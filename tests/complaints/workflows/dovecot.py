"""A real IMAP server for the poller's tests: Debian's Dovecot, started with its own config in a
temporary folder (passwd-file auth, maildir, plain IMAP on 127.0.0.1 only), never the system's.
scripts/system-deps installs dovecot-imapd when it is missing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# This worktree's ports for test servers (the machine is shared); 10143 as a last resort.
PORTS = (*range(8131, 8140), 10143)
USER, PASSWORD = "support", "imap-test-pass"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass(frozen=True)
class ImapServer:
    port: int
    root: Path

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port for the test IMAP server among {PORTS}")


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextmanager
def dovecot_server() -> Iterator[ImapServer]:
    root = Path(tempfile.mkdtemp(prefix="rd-imap-"))
    os.chmod(root, 0o755)
    port = _free_port()
    login_user = "dovenull" if _user_exists("dovenull") else "nobody"
    internal_user = "dovecot" if _user_exists("dovecot") else "nobody"
    uid, gid = os.getuid(), os.getgid()
    home, mail = root / "home", root / "mail"
    home.mkdir()
    mail.mkdir()
    if uid == 0:
        # Dovecot never reads mail as root: the mailbox belongs to its own unprivileged user.
        import pwd

        owner = pwd.getpwnam(internal_user)
        uid, gid = owner.pw_uid, owner.pw_gid
        for folder in (home, mail):
            os.chown(folder, uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{home}::\n")
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root, port=port, uid=uid, login_user=login_user, internal_user=internal_user
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                output = process.stdout.read().decode() if process.poll() is not None else ""
                raise RuntimeError(f"dovecot did not start:\n{output}\n{log}")
            time.sleep(0.1)
        yield ImapServer(port=port, root=root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
