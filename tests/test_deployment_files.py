"""The files an operator deploys from: vendored static files, docker-compose.yml and the image."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"


def test_vendored_files_reference_no_missing_source_maps_and_say_how_to_update_them():
    for path in [*VENDOR.rglob("*.js"), *VENDOR.rglob("*.css")]:
        for reference in re.findall(r"sourceMappingURL=(\S+?)(?:\s|\*/|$)", path.read_text()):
            assert (path.parent / reference).exists(), f"{path.name} points at {reference}"
    readme = (VENDOR / "README").read_text()
    assert "sourceMappingURL" in readme and "To update one" in readme


def test_compose_holds_no_secret_and_refuses_to_start_without_them():
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    environment = compose["x-app-environment"]
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert "cp .env.example .env" in environment["DJANGO_SECRET_KEY"]
    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
    postgres = compose["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "local-compose-only" not in text and ":-helpcenter}" not in text


def test_compose_health_checks_use_the_health_endpoints():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web_check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "/readyz/" in web_check


def test_env_example_leaves_the_secrets_empty_and_debug_off():
    example = (ROOT / ".env.example").read_text()
    assert re.search(r"^DJANGO_SECRET_KEY=$", example, re.M)
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.M)
    assert not re.search(r"^DJANGO_DEBUG=1", example, re.M)
