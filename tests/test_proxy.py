"""The compose stack's TLS proxy, for real (issue 14, items 8 and 13).

Docker does not run here, so this starts Debian's nginx with the proxy's own config file,
docker/nginx/templates/default.conf.template (filled in for this test's ports as the nginx
image fills it from docker-compose.yml), a certificate made by docker/nginx/make-cert.sh (the
script the image runs at first start), in front of gunicorn running the production settings
with docker-compose.yml's web environment, on the test database. Ports: http 18143, https
18144, gunicorn 18145, all on 127.0.0.1. gunicorn runs plain sync workers, so the slow-client
test shows the proxy's buffering alone keeps the site up. Bounded: about 15 s for the module.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.factories import UserFactory
from tests.slow_clients import timed_under_slow_clients
from tests.test_compose import _environment, _expand, _service

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "docker" / "nginx" / "templates" / "default.conf.template"
MAKE_CERT = ROOT / "docker" / "nginx" / "make-cert.sh"
HTTP_PORT, HTTPS_PORT, WEB_PORT = 18143, 18144, 18145
HOST = "localhost"
ORIGIN = f"https://{HOST}:{HTTPS_PORT}"
PASSWORD = "proxy-test-password"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        pytest.fail("nginx is missing: run scripts/system-deps (make test does)")
    return found


def render(template: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst does with the service's NGINX_/REDRESS_ variables."""
    text = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], template)
    assert "${" not in text
    return text


@dataclass
class Stack:
    folder: Path
    cert: Path
    web_log: Path

    def tls(self) -> ssl.SSLContext:
        # Trust exactly the certificate make-cert.sh made: hostname and chain are checked.
        return ssl.create_default_context(cafile=str(self.cert))

    def https(self, *, source: str = "127.0.0.1") -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(HOST, HTTPS_PORT, context=self.tls(), timeout=10,
                                           source_address=(source, 0))  # fmt: skip

    def web_requests(self) -> str:
        return self.web_log.read_text(errors="replace")


def wait_until_up(stack: Stack, processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            break
        try:
            connection = stack.https()
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    logs = "\n".join(p.read_text()[-2000:] for p in stack.folder.glob("*.log"))
    pytest.fail(f"the proxy stack did not come up:\n{logs}")


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    folder = tmp_path_factory.mktemp("proxy")
    certs = folder / "certs"
    subprocess.run(["sh", str(MAKE_CERT)], env={"PATH": os.environ["PATH"],
                   "NGINX_CERT_DIR": str(certs), "NGINX_CERT_HOSTNAME": HOST},
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    site = render(TEMPLATE.read_text(), {
        "REDRESS_UPSTREAM": f"127.0.0.1:{WEB_PORT}",
        "NGINX_HTTP_PORT": f"127.0.0.1:{HTTP_PORT}",
        "NGINX_HTTPS_PORT": f"127.0.0.1:{HTTPS_PORT}",
        "NGINX_REDIRECT_PORT": f":{HTTPS_PORT}",
        "NGINX_CERT_DIR": str(certs),
    })  # fmt: skip
    (folder / "site.conf").write_text(site)
    # The image's own nginx.conf around it: paths in this folder, the site file included.
    (folder / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""")
    db = connection.settings_dict
    env = {name: _expand(value) for name, value in _environment(_service("web")).items()
           if value is not None}  # fmt: skip
    env.update({
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        # No broker is needed to sign in; the cache is a folder of this test's own.
        "CELERY_BROKER_URL": "memory://", "REDRESS_CACHE_DIR": str(folder / "cache"),
        "DJANGO_STATIC_ROOT": str(folder / "static"), "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "REDRESS_SPOOL_DIR": str(folder / "spool"),
    })  # fmt: skip
    # The site's own static files (the image bakes all of them; these pages need only ours).
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0",
                    "-i", "admin", "-i", "drf_spectacular_sidecar", "-i", "rest_framework",
                    "-i", "django_celery_beat"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)  # fmt: skip
    stack = Stack(folder, certs / "tls.crt", folder / "web-access.log")
    web = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application",
         "--bind", f"127.0.0.1:{WEB_PORT}", "--workers", "2", "--worker-class", "sync",
         "--timeout", "30", "--access-logfile", str(stack.web_log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(folder / "web.log").open("wb"),
    )  # fmt: skip
    proxy = subprocess.Popen(
        [nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf"),
         "-e", str(folder / "nginx-error.log")],
        stdout=subprocess.DEVNULL, stderr=(folder / "nginx-stderr.log").open("wb"),
    )  # fmt: skip
    try:
        wait_until_up(stack, [web, proxy])
        yield stack
    finally:
        for process in (proxy, web):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


@pytest.fixture
def signed_up(transactional_db):
    """An agent whose password is hashed as the production settings check it."""
    user = UserFactory(username="proxy_agent", groups=["agent"], is_staff=True)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    return user


def cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    """{name: the whole Set-Cookie header} of a response."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_all("Set-Cookie") or []}


def sign_in(stack: Stack, password: str, *, source: str = "127.0.0.1",
            extra: dict[str, str] | None = None) -> http.client.HTTPResponse:  # fmt: skip
    """GET the sign-in page, then POST it as a browser would (cookie, token, Origin)."""
    connection = stack.https(source=source)
    connection.request("GET", "/accounts/login/")
    page = connection.getresponse()
    body = page.read().decode()
    assert page.status == 200, body[:500]
    csrf_cookie = cookies(page)["csrftoken"].split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "proxy_agent",
                                   "password": password})  # fmt: skip
    connection.request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie,
        "Origin": ORIGIN, "Referer": f"{ORIGIN}/accounts/login/", **(extra or {}),
    })  # fmt: skip
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_login_page_over_https_sets_secure_cookies_and_hsts(stack):
    connection = stack.https()
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    csrf = cookies(response)["csrftoken"]
    assert "; Secure" in csrf
    # Django saw https (X-Forwarded-Proto from the proxy): it sends HSTS only then.
    hsts = response.getheader("Strict-Transport-Security")
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert response.getheader("Server") == "nginx"  # no version (server_tokens off)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_in_through_the_proxy_gives_a_secure_session_cookie_that_works(stack, signed_up):
    response = sign_in(stack, PASSWORD)
    assert response.status == 302, response.getheader("Location")
    session = cookies(response)["sessionid"]
    assert "; Secure" in session and "; HttpOnly" in session
    connection = stack.https()
    connection.request("GET", "/staff/queue/mine/", headers={"Cookie": session.split(";")[0]})
    page = connection.getresponse()
    assert page.status == 200 and "Sign out" in page.read().decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_app_counts_the_clients_address_not_the_proxys_nor_a_claimed_one(stack, signed_up):
    # A client at 127.0.0.2 claims another address in both headers; nginx (at 127.0.0.1 to
    # gunicorn) overwrites them with the address it saw.
    claimed = {"X-Real-IP": "203.0.113.66", "X-Forwarded-For": "203.0.113.66"}
    response = sign_in(stack, "wrong-password", source="127.0.0.2", extra=claimed)
    assert response.status == 200  # the form again, with its error
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.2"]


def test_plain_http_is_redirected_to_the_same_address_over_https(stack):
    connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    connection.request("GET", "/complain/?from=poster", headers={"Host": HOST})
    response = connection.getresponse()
    response.read()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}:{HTTPS_PORT}/complain/?from=poster"
    assert "GET /complain/" not in stack.web_requests()


def test_a_body_over_the_limit_is_refused_by_the_proxy_before_gunicorn_sees_it(stack):
    with socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=10) as raw:
        with stack.tls().wrap_socket(raw, server_hostname=HOST) as sock:
            sock.sendall(
                f"POST /complain/ HTTP/1.1\r\nHost: {HOST}:{HTTPS_PORT}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {60 * 1024 * 1024}\r\n\r\n".encode()
            )
            status_line = sock.recv(200).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert "POST /complain/" not in stack.web_requests()


def tls_connection(stack: Stack) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=10)
    try:
        return stack.tls().wrap_socket(raw, server_hostname=HOST)
    except BaseException:
        raw.close()
        raise


def healthz_seconds(stack: Stack) -> float:
    started = time.monotonic()
    try:
        connection = stack.https()
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
    except OSError:
        return float("inf")
    return time.monotonic() - started


def test_three_slow_clients_through_the_proxy_do_not_slow_healthz(stack):
    # gunicorn runs two plain sync workers: three slow bodies straight at it starve /healthz
    # (tests/faults/test_slow_clients.py shows that); through the proxy they never reach it.
    times = timed_under_slow_clients(
        lambda: tls_connection(stack), f"{HOST}:{HTTPS_PORT}", lambda: healthz_seconds(stack)
    )
    assert max(times) < 1.0, times
    assert "POST /complain/" not in stack.web_requests()
