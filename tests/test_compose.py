"""docker-compose.yml and the Dockerfile agree with the code they run.

Docker is not needed: the files are parsed and checked against the settings modules,
Procfile.dev and the URLconf, so a change on one side (a new required variable in
production.py, a renamed scheduler, a moved health endpoint) fails here, not at deploy time.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib
import importlib.util
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PRODUCTION_SETTINGS = ROOT / "config" / "settings" / "production.py"
PROCFILE = ROOT / "Procfile.dev"

# The long-running processes of the app, each a compose service of the same name.
APP_PROCESSES = ("web", "worker", "beat")

# env.<method>() called with no variable name reads django-environ's default variable.
ENVIRON_DEFAULT_VARS = {
    "db": "DATABASE_URL",
    "db_url": "DATABASE_URL",
    "cache": "CACHE_URL",
    "cache_url": "CACHE_URL",
    "email": "EMAIL_URL",
    "email_url": "EMAIL_URL",
    "search_url": "SEARCH_URL",
}

_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


# -- parsing helpers ---------------------------------------------------------------------------


@cache
def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _services() -> dict[str, dict[str, Any]]:
    return _compose()["services"]


def _service(name: str) -> dict[str, Any]:
    services = _services()
    assert name in services, f"docker-compose.yml has no `{name}` service"
    return services[name]


def _app_image_services() -> dict[str, dict[str, Any]]:
    """Services that run the Redress image (built from the Dockerfile)."""
    return {name: svc for name, svc in _services().items() if "build" in svc}


def _expand(value: Any) -> str:
    """Compose interpolation as seen with an empty shell: ${X:-d} is d, ${X:?msg} is "set"."""

    def replace(match: re.Match[str]) -> str:
        op = match["op"] or ""
        if op.endswith("-"):
            return match["arg"]
        if op.endswith("?"):
            return f"<required {match['name']}>"
        return ""

    return _INTERPOLATION.sub(replace, str(value))


def _environment(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["KEY=value", "KEY"] form
        pairs = (item.partition("=") for item in env)
        return {key: (value if sep else None) for key, sep, value in pairs}
    return {key: None if value is None else str(value) for key, value in env.items()}


def _env_value(service_name: str, key: str) -> str:
    env = _environment(_service(service_name))
    assert env.get(key) is not None, f"{service_name} does not set {key}"
    return _expand(env[key])


def _tokens(command: Any) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


def _command(service_name: str) -> list[str]:
    tokens = _tokens(_service(service_name).get("command"))
    assert tokens, f"{service_name} has no command"
    return tokens


def _option(tokens: list[str], *names: str) -> str | None:
    """Value of `--name value`, `--name=value` or `-Xvalue` for any of the given names."""
    for index, token in enumerate(tokens):
        for name in names:
            if token == name and index + 1 < len(tokens):
                return tokens[index + 1]
            if name.startswith("--") and token.startswith(name + "="):
                return token[len(name) + 1 :]
            if len(name) == 2 and token.startswith(name) and len(token) > 2:
                return token[2:]
    return None


def _celery_subcommand(tokens: list[str]) -> str | None:
    for token in tokens:
        if token in {"worker", "beat"}:
            return token
    return None


def _runs_beat(tokens: list[str]) -> bool:
    """True for `celery beat` and for a worker with an embedded scheduler (-B / --beat)."""
    if not tokens or Path(tokens[0]).name != "celery":
        return False
    return _celery_subcommand(tokens) == "beat" or "-B" in tokens or "--beat" in tokens


def _procfile() -> dict[str, list[str]]:
    processes = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = shlex.split(command)
    return processes


def _depends_on(service_name: str) -> dict[str, str]:
    """{dependency: condition}; the short list form means service_started."""
    depends = _service(service_name).get("depends_on") or {}
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {
        name: (spec or {}).get("condition", "service_started") for name, spec in depends.items()
    }


def _healthcheck_command(service_name: str) -> list[str]:
    check = _service(service_name).get("healthcheck") or {}
    test = check.get("test")
    assert test and not check.get("disable"), f"{service_name} has no healthcheck"
    tokens = _tokens(test)
    if tokens[0] == "CMD-SHELL":
        return shlex.split(" ".join(tokens[1:]))
    return tokens[1:] if tokens[0] == "CMD" else tokens


def _web_healthcheck_url() -> str:
    joined = " ".join(_healthcheck_command("web"))
    match = re.search(r"https?://[^\s'\"]+", joined)
    assert match, f"web healthcheck calls no URL: {joined}"
    return match.group(0)


def _required_env_vars(path: Path) -> set[str]:
    """Variables a settings module reads with env(...) / env.<cast>(...) and no default."""
    required = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "env":
            default_position, method = 2, None  # Env.__call__(var, cast, default)
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        ):
            default_position, method = 1, func.attr  # Env.<cast>(var, default)
        else:
            continue
        if any(kw.arg == "default" for kw in node.keywords) or len(node.args) > default_position:
            continue
        var_kw = next((kw.value for kw in node.keywords if kw.arg == "var"), None)
        var = node.args[0] if node.args else var_kw
        if isinstance(var, ast.Constant) and isinstance(var.value, str):
            required.add(var.value)
        elif var is None and method in ENVIRON_DEFAULT_VARS:
            required.add(ENVIRON_DEFAULT_VARS[method])
    return required


@cache
def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full:
            keyword, _, args = full.partition(" ")
            instructions.append((keyword.upper(), args.strip()))
    return instructions


def _dockerfile_args(keyword: str) -> list[str]:
    return [args for kw, args in _dockerfile() if kw == keyword]


def _exec_form(args: str) -> list[str]:
    try:
        parsed = json.loads(args)
    except json.JSONDecodeError:
        return shlex.split(args)
    return [str(part) for part in parsed]


def _workdir() -> str:
    workdirs = _dockerfile_args("WORKDIR")
    assert workdirs, "the Dockerfile sets no WORKDIR"
    return workdirs[-1].rstrip("/")


def _repo_file_for(token: str) -> Path | None:
    """The repository file a command token names inside the image, if it names one."""
    workdir = _workdir()
    if token.startswith(workdir + "/"):
        return ROOT / token[len(workdir) + 1 :]
    if not token.startswith("/") and token.endswith((".sh", ".py")):
        return ROOT / token
    return None


def _dockerfile_env() -> dict[str, str]:
    env = {}
    for args in _dockerfile_args("ENV"):
        for token in shlex.split(args):
            key, sep, value = token.partition("=")
            if sep:
                env[key] = value
    return env


def _dockerignore_excludes(relative: str) -> bool:
    """Whether .dockerignore keeps `relative` (or a parent folder) out of the build context."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for raw in DOCKERIGNORE.read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        bare = pattern.removeprefix("**/")
        if any(
            fnmatch.fnmatchcase(candidate, pattern) or fnmatch.fnmatchcase(candidate, bare)
            for candidate in candidates
        ):
            excluded = not negated
    return excluded


# -- one image ---------------------------------------------------------------------------------


def test_app_processes_run_the_image_built_from_the_dockerfile():
    built = _app_image_services()
    missing = [name for name in APP_PROCESSES if name not in built]
    assert not missing, f"{missing} do not build the app image"


def test_every_app_image_service_uses_the_same_build_and_image():
    built = _app_image_services()
    builds = {json.dumps(svc["build"], sort_keys=True) for svc in built.values()}
    images = {svc.get("image") for svc in built.values()}
    assert len(builds) == 1, f"services build the app differently: {builds}"
    assert len(images) == 1 and None not in images, f"app services tag different images: {images}"


def test_the_build_uses_this_dockerfile():
    build = next(iter(_app_image_services().values()))["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (COMPOSE_FILE.parent / context / dockerfile).resolve() == DOCKERFILE


# -- commands match what the code defines ------------------------------------------------------


def test_web_serves_the_wsgi_application_named_in_settings_with_gunicorn():
    tokens = _command("web")
    assert Path(tokens[0]).name == "gunicorn"
    module, _, attribute = settings.WSGI_APPLICATION.rpartition(".")
    assert f"{module}:{attribute}" in tokens


def test_web_gunicorn_target_is_importable():
    target = next(token for token in _command("web") if ":" in token and "/" not in token)
    module_path, _, attribute = target.partition(":")
    assert importlib.util.find_spec(module_path) is not None, f"no module {module_path}"
    assert callable(getattr(importlib.import_module(module_path), attribute))


def test_web_binds_all_interfaces_inside_the_container():
    bind = _option(_command("web"), "--bind", "-b")
    assert bind is not None and bind.startswith("0.0.0.0:"), bind


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_celery_process_runs_the_same_app_as_procfile(process):
    compose_tokens = _command(process)
    procfile_tokens = _procfile()[process]
    assert Path(compose_tokens[0]).name == "celery"
    assert _celery_subcommand(compose_tokens) == process
    app = _option(compose_tokens, "-A", "--app")
    assert app == _option(procfile_tokens, "-A", "--app"), "compose and Procfile.dev differ"
    assert app == "config"


def test_celery_app_module_defines_the_app():
    celery_module = importlib.import_module(f"{_option(_command('worker'), '-A', '--app')}.celery")
    assert celery_module.app.main, "config.celery has no Celery app"


def test_beat_uses_the_scheduler_named_in_settings():
    scheduler = _option(_command("beat"), "--scheduler", "-S")
    assert scheduler == settings.CELERY_BEAT_SCHEDULER


def test_beat_scheduler_matches_procfile():
    compose_scheduler = _option(_command("beat"), "--scheduler", "-S")
    assert compose_scheduler == _option(_procfile()["beat"], "--scheduler", "-S")


def test_beat_scheduler_is_importable():
    module_path, _, attribute = settings.CELERY_BEAT_SCHEDULER.partition(":")
    assert hasattr(importlib.import_module(module_path), attribute)


# -- environment -------------------------------------------------------------------------------


def test_required_env_parser_sees_the_known_production_variables():
    # Guards the parser: if it found nothing, the next test would pass vacuously.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= _required_env_vars(
        PRODUCTION_SETTINGS
    )


@pytest.mark.parametrize("process", [*APP_PROCESSES, "migrate"])
def test_every_required_production_variable_is_provided(process):
    env = _environment(_service(process))
    missing = sorted(
        var
        for var in _required_env_vars(PRODUCTION_SETTINGS)
        if env.get(var) is None or _expand(env[var]) == ""
    )
    assert not missing, f"{process} lacks {missing}, which production.py requires"


@pytest.mark.parametrize("process", [*APP_PROCESSES, "migrate"])
def test_app_services_run_production_settings(process):
    module = _env_value(process, "DJANGO_SETTINGS_MODULE")
    assert module == "config.settings.production"
    assert importlib.util.find_spec(module) is not None


def test_secret_key_is_never_a_committed_default():
    raw = _environment(_service("web"))["DJANGO_SECRET_KEY"]
    assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:\?[^}]*\}", raw or ""), raw


@pytest.mark.parametrize("process", [*APP_PROCESSES, "migrate"])
def test_database_url_matches_the_postgres_service(process):
    url = urlsplit(_env_value(process, "DATABASE_URL"))
    postgres = _environment(_service("postgres"))
    assert url.scheme in {"postgres", "postgresql", "pgsql"}
    assert url.hostname == "postgres" and (url.port or 5432) == 5432
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]


@pytest.mark.parametrize("process", APP_PROCESSES)
def test_celery_broker_is_the_redis_service(process):
    url = urlsplit(_env_value(process, "CELERY_BROKER_URL"))
    assert url.scheme == "redis"
    assert url.hostname in _services() and "redis" in _service(url.hostname)["image"]
    assert (url.port or 6379) == 6379


def test_worker_sends_email_over_smtp():
    assert (
        _env_value("worker", "DJANGO_EMAIL_BACKEND")
        == "django.core.mail.backends.smtp.EmailBackend"
    )


def test_email_host_is_the_mailpit_service():
    host = _env_value("worker", "EMAIL_HOST")
    assert host in _services() and "mailpit" in _service(host)["image"]


def test_email_port_is_mailpits_smtp_port():
    smtp_bind = _env_value("mailpit", "MP_SMTP_BIND_ADDR")  # mailpit's default is :1025
    assert int(_env_value("worker", "EMAIL_PORT")) == int(smtp_bind.rpartition(":")[2])


SECURITY_SWITCHES = ("DJANGO_SECURE_COOKIES", "DJANGO_SSL_REDIRECT", "DJANGO_HSTS_SECONDS")


@pytest.mark.parametrize("process", [*APP_PROCESSES, "migrate"])
def test_production_security_defaults_are_not_switched_off(process):
    # Behind the TLS proxy production.py's defaults hold: Secure cookies, redirect, HSTS.
    env = _environment(_service(process))
    assert [name for name in SECURITY_SWITCHES if name in env] == []


def test_emailed_links_use_https():
    assert _env_value("web", "REDRESS_BASE_URL").startswith("https://")


def test_check_deploy_with_the_compose_environment_reports_nothing():
    env = {name: _expand(value) for name, value in _environment(_service("web")).items()
           if value is not None}  # fmt: skip
    env.update({
        "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_LOG_FORMAT": "text",
    })  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# -- the TLS proxy -----------------------------------------------------------------------------

NGINX_TEMPLATE = ROOT / "docker" / "nginx" / "templates" / "default.conf.template"
MAKE_CERT = ROOT / "docker" / "nginx" / "make-cert.sh"


def _nginx_directive(name: str) -> list[str]:
    """Every value of `name ...;` in the proxy's config template (comments dropped)."""
    text = re.sub(r"#[^\n]*", "", NGINX_TEMPLATE.read_text())
    return [m.strip() for m in re.findall(rf"(?:^|[;{{}}\s]){name}\s+([^;]*);", text)]


def _published(service_name: str) -> dict[int, int]:
    """{container port: host port} from the service's `ports:` (short syntax)."""
    mapping = {}
    for entry in _service(service_name).get("ports") or []:
        host, _, container = _expand(entry).rpartition(":")
        mapping[int(container)] = int(host.rpartition(":")[2])
    return mapping


def _mounts(service_name: str) -> dict[str, str]:
    """{container path: source} of the service's volumes."""
    mounts = {}
    for entry in _service(service_name).get("volumes") or []:
        source, target = _expand(entry).split(":")[:2]
        mounts[target] = source
    return mounts


def test_web_publishes_no_port_to_the_host():
    assert "ports" not in _service("web"), "clients must come through the TLS proxy"


def test_the_proxy_publishes_https_and_the_http_redirect():
    published = _published("proxy")
    env = {k: _expand(v) for k, v in _environment(_service("proxy")).items()}
    assert published == {443: 443, 80: 80}
    assert int(env["NGINX_HTTPS_PORT"]) == 443 and int(env["NGINX_HTTP_PORT"]) == 80


def test_the_proxy_runs_this_repositorys_config_and_certificate_script():
    mounts = _mounts("proxy")
    assert (ROOT / mounts["/etc/nginx/templates"]).resolve() == NGINX_TEMPLATE.parent
    script = next(t for t in mounts if t.startswith("/docker-entrypoint.d/"))
    assert script.endswith(".sh") and (ROOT / mounts[script]).resolve() == MAKE_CERT
    # The image runs only executable entrypoint.d scripts.
    assert os.access(MAKE_CERT, os.X_OK)
    assert "/etc/nginx/certs" in mounts


def test_every_name_the_template_uses_is_set_for_the_proxy():
    env = _environment(_service("proxy"))
    names = set(re.findall(r"\$\{(\w+)\}", NGINX_TEMPLATE.read_text()))
    assert names and sorted(names - set(env)) == []
    # and the image's filter lets each of them through (nginx's own $variables stay)
    assert all(re.match(env["NGINX_ENVSUBST_FILTER"], name) for name in names)


def test_the_proxy_forwards_to_the_port_gunicorn_binds():
    upstream = _expand(_environment(_service("proxy"))["REDRESS_UPSTREAM"])
    host, _, port = upstream.rpartition(":")
    assert host == "web"
    assert int(port) == int(_option(_command("web"), "--bind", "-b").rpartition(":")[2])


def test_the_proxy_waits_for_a_healthy_web_and_has_a_healthcheck():
    assert _depends_on("proxy").get("web") == "service_healthy"
    assert "https://localhost/healthz" in " ".join(_healthcheck_command("proxy"))


def test_the_proxy_body_limit_is_the_largest_request_the_app_accepts():
    from complaints.workflows.intake import MAX_ATTACHMENT_BYTES
    from complaints.workflows.web_form import MAX_ATTACHMENTS

    files_mb = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES // (1024 * 1024)
    # The files plus 1 MB for the text fields and the multipart framing.
    assert _nginx_directive("client_max_body_size") == [f"{files_mb + 1}m"]


def test_the_proxy_buffers_requests_and_bounds_how_long_a_client_may_take():
    assert _nginx_directive("proxy_request_buffering") == ["on"]
    for name in ("client_header_timeout", "client_body_timeout"):
        [value] = _nginx_directive(name)
        assert re.fullmatch(r"\d+s", value) and int(value[:-1]) <= 30, (name, value)


def test_the_proxy_sets_the_headers_the_app_trusts():
    headers = dict(value.split(None, 1) for value in _nginx_directive("proxy_set_header"))
    # production.py: SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert 'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")' in (
        PRODUCTION_SETTINGS.read_text()
    )
    assert headers["X-Forwarded-Proto"] == "https"
    client_header = _env_value("web", "REDRESS_CLIENT_ADDRESS_HEADER")
    assert headers[client_header] == "$remote_addr"
    # Host with its port: Django's CSRF check compares the browser's Origin with it.
    assert headers["Host"] == "$http_host"


# -- start-up order ----------------------------------------------------------------------------


@pytest.mark.parametrize("process", APP_PROCESSES)
@pytest.mark.parametrize("backing", ["postgres", "redis"])
def test_app_process_waits_for_healthy_backing_service(process, backing):
    assert _depends_on(process).get(backing) == "service_healthy"


def test_worker_waits_for_healthy_mailpit():
    assert _depends_on("worker").get("mailpit") == "service_healthy"


@pytest.mark.parametrize("process", APP_PROCESSES)
def test_app_process_starts_only_after_migrations_succeed(process):
    assert _depends_on(process).get("migrate") == "service_completed_successfully"


def test_migrate_service_applies_migrations():
    tokens = _command("migrate")
    assert "manage.py" in tokens and "migrate" in tokens and "--noinput" in tokens


def test_migrate_service_is_one_shot():
    # A restart policy would re-run it forever and `service_completed_successfully` never holds.
    assert str(_service("migrate").get("restart", "no")) == "no"


def test_migrate_waits_for_healthy_postgres():
    assert _depends_on("migrate").get("postgres") == "service_healthy"


def test_every_service_awaited_as_healthy_has_a_healthcheck():
    awaited = {
        dependency
        for name in _services()
        for dependency, condition in _depends_on(name).items()
        if condition == "service_healthy"
    }
    assert awaited, "nothing waits for a healthy service"
    for name in sorted(awaited):
        assert _healthcheck_command(name), name


# -- beat is a singleton -----------------------------------------------------------------------


def test_exactly_one_service_runs_celery_beat():
    schedulers = [
        name for name in _services() if _runs_beat(_tokens(_service(name).get("command")))
    ]
    assert schedulers == ["beat"], f"periodic tasks would be scheduled by {schedulers}"


def test_beat_is_not_scaled():
    deploy = _service("beat").get("deploy") or {}
    assert int(deploy.get("replicas", 1)) <= 1
    assert int(_service("beat").get("scale", 1)) <= 1


# -- web healthcheck ---------------------------------------------------------------------------


def test_web_healthcheck_uses_python_because_the_image_has_no_curl():
    assert Path(_healthcheck_command("web")[0]).name.startswith("python")


def test_web_healthcheck_path_is_routed_by_django():
    path = urlsplit(_web_healthcheck_url()).path
    assert resolve(path).url_name == "healthz"


def test_web_healthcheck_calls_the_port_gunicorn_binds():
    bind_port = int(_option(_command("web"), "--bind", "-b").rpartition(":")[2])
    assert urlsplit(_web_healthcheck_url()).port == bind_port


def test_web_healthcheck_host_is_an_allowed_host():
    # Otherwise Django answers 400 (DisallowedHost) and web is never healthy.
    allowed = _env_value("web", "DJANGO_ALLOWED_HOSTS").split(",")
    assert urlsplit(_web_healthcheck_url()).hostname in {host.strip() for host in allowed}


# -- the Dockerfile ----------------------------------------------------------------------------


def test_dockerfile_installs_requirements_txt():
    assert any("requirements.txt" in args for args in _dockerfile_args("COPY"))
    assert any(
        "pip install" in args and re.search(r"-r\s+\S*requirements\.txt", args)
        for args in _dockerfile_args("RUN")
    )


@pytest.mark.parametrize("program", ["gunicorn", "celery", "django-celery-beat", "whitenoise"])
def test_requirements_provide_what_the_services_run(program):
    names = {
        re.split(r"[=<>!~\[; ]", line.strip(), maxsplit=1)[0].lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-"))
    }
    assert program in names


def test_dockerfile_uses_python_311_slim_bookworm():
    assert _dockerfile_args("FROM")[0].startswith("python:3.11-slim-bookworm")


@pytest.mark.parametrize(
    "library", ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "fonts-dejavu-core"]
)
def test_dockerfile_installs_what_weasyprint_loads(library):
    assert any("apt-get install" in args and library in args for args in _dockerfile_args("RUN"))


def test_dockerfile_defaults_to_production_settings():
    module = _dockerfile_env().get("DJANGO_SETTINGS_MODULE")
    assert module == "config.settings.production"
    assert importlib.util.find_spec(module) is not None


def test_collectstatic_at_build_sets_every_required_production_variable():
    step = next(args for args in _dockerfile_args("RUN") if "collectstatic" in args)
    provided = {*_dockerfile_env(), *re.findall(r"\b([A-Z][A-Z0-9_]*)=", step)}
    missing = sorted(_required_env_vars(PRODUCTION_SETTINGS) - provided)
    assert not missing, f"collectstatic would fail: production.py requires {missing}"


def test_image_runs_as_a_non_root_user():
    users = _dockerfile_args("USER")
    assert users and users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_entrypoint_and_cmd_name_files_that_exist():
    tokens = [
        token
        for keyword in ("ENTRYPOINT", "CMD")
        for args in _dockerfile_args(keyword)
        for token in _exec_form(args)
    ]
    files = [path for token in tokens if (path := _repo_file_for(token)) is not None]
    assert files, "ENTRYPOINT/CMD name no repository file to check"
    for path in files:
        assert path.is_file(), f"{path.relative_to(ROOT)} does not exist"


def test_entrypoint_script_execs_the_command():
    entrypoint = _exec_form(_dockerfile_args("ENTRYPOINT")[-1])
    script = _repo_file_for(entrypoint[0]).read_text()
    assert script.startswith("#!")
    assert re.search(r'^\s*exec "\$@"', script, re.MULTILINE), "signals would not reach the app"


def test_compose_commands_name_files_that_exist():
    for name, service in _app_image_services().items():
        for key in ("command", "entrypoint"):
            for token in _tokens(service.get(key)):
                path = _repo_file_for(token) or (ROOT / token if token == "manage.py" else None)
                assert path is None or path.is_file(), f"{name}.{key}: {token} does not exist"


@pytest.mark.parametrize(
    "path", ["requirements.txt", "manage.py", "config/wsgi.py", "docker/entrypoint.sh"]
)
def test_dockerignore_keeps_what_the_image_needs(path):
    assert (ROOT / path).is_file()
    assert not _dockerignore_excludes(path)


@pytest.mark.parametrize(
    "path", [".env", ".git/config", ".venv/bin/python", "var/pgdata/PG_VERSION"]
)
def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image(path):
    assert _dockerignore_excludes(path)
