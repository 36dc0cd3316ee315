"""A deployment must bring its own SECRET_KEY; build-time commands must not need one."""

import os
import subprocess
import sys

from django.conf import settings


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest for this process only; a deployment
    # never has it (check --deploy says so), and neither should the child.
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"SECRET_KEY", "DEBUG", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run([sys.executable, *args], cwd=settings.BASE_DIR, env={**environment, **env},
                          capture_output=True, text=True, timeout=120)


def test_web_processes_refuse_to_start_without_a_secret_key():
    result = run("-c", "import cxm.wsgi", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr
    assert run("-c", "import cxm.wsgi", DEBUG="0", SECRET_KEY="x" * 60).returncode == 0


def test_deploy_check_reports_a_missing_secret_key():
    result = run("manage.py", "check", "--deploy", DEBUG="0", ALLOWED_HOSTS="cxm.example")
    assert "cxm.E001" in result.stderr


def test_build_commands_need_no_secret_key():
    result = run("manage.py", "makemigrations", "--check", "--dry-run", DEBUG="0")
    assert result.returncode == 0, result.stderr
