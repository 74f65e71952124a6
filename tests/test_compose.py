"""docker-compose.yml stays valid, and its hunspell locales match the index contract."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mappings import LANGUAGE_LOCALES

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> list[str] | None:
    if shutil.which("docker") is None:
        return None
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    return ["docker", "compose"] if probe.returncode == 0 else None


@pytest.mark.parametrize("profile", [None, "cluster", "index", "demo"])
def test_docker_compose_config_is_valid(profile):
    cmd = _compose()
    if cmd is None:
        pytest.skip("docker CLI with the compose plugin is not installed")
    args = [*cmd, "-f", str(ROOT / "docker-compose.yml")]
    if profile:
        args += ["--profile", profile]
    env = {**os.environ, "PERISCOPE_API_KEYS": "test-key"}
    out = subprocess.run([*args, "config", "--quiet"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    services = subprocess.run([*args, "config", "--services"], capture_output=True, text=True, env=env, cwd=ROOT)
    names = set(services.stdout.split())
    if profile == "cluster":
        assert {"es1", "es2", "es3", "api-cluster"} <= names
    else:
        assert {"elasticsearch", "api"} <= names


def test_compose_requires_api_keys():
    cmd = _compose()
    if cmd is None:
        pytest.skip("docker CLI with the compose plugin is not installed")
    env = {k: v for k, v in os.environ.items() if k != "PERISCOPE_API_KEYS"}
    out = subprocess.run([*cmd, "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode != 0 and "PERISCOPE_API_KEYS" in out.stderr


def test_elasticsearch_image_ships_every_contract_dictionary():
    dockerfile = (ROOT / "docker" / "elasticsearch.Dockerfile").read_text()
    locales = set(re.search(r"for loc in ([^;]+);", dockerfile).group(1).split())
    assert locales == set(LANGUAGE_LOCALES.values())
