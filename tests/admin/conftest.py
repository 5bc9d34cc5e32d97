"""Fixtures for the admin console: a copy of the project in a temp dir and logged-in clients."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.admin.app import create_app
from bot.admin.settings import AdminSettings
from tests.support.servers import ROOT

SAMPLE_NLU = """version: "3.1"
# Sample data kept by the console tests: comments and order must survive edits.
nlu:
  - intent: chao_hoi_mau
    # greetings, with and without diacritics
    examples: |
      - xin chào
      - chao ban
  - synonym: giấy căn cước mẫu
    examples: |
      - cccd
  - lookup: tinh_mau
    examples: |
      - Hà Nội
"""
PASSWORD = "mat-khau-dai-123"


def copy_project(target: Path, sample: bool = True) -> Path:
    """The files the console edits and trains from, copied so tests never touch the repo.

    `sample` adds a small NLU file with comments, used by the round-trip tests.
    """
    target.mkdir(parents=True, exist_ok=True)
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, target / name)
    for folder in ("data/nlu", "data/stories", "data/rules", "data/content"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, target / folder)
        (target / folder).mkdir(parents=True, exist_ok=True)
    if (ROOT / "tests" / "nlu").exists():
        shutil.copytree(ROOT / "tests" / "nlu", target / "tests" / "nlu")
    if sample:
        (target / "data" / "nlu" / "zz_console_sample.yml").write_text(SAMPLE_NLU, "utf-8")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def settings(project: Path, tmp_path: Path) -> AdminSettings:
    return AdminSettings(root=project, env="test", rasa_url="http://127.0.0.1:9",
                         secret_key="test-secret", national_data=tmp_path / "national")


@pytest.fixture
def app(settings: AdminSettings):
    application = create_app(settings)
    for role in ("editor", "viewer"):
        application.state.users.create(role, PASSWORD, role)
    application.state.users.set_password("admin", PASSWORD)
    return application


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Console:
    """A TestClient logged in as one user, posting forms with the session's CSRF token."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


def login(client: TestClient, username: str, password: str = PASSWORD) -> Console:
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_of(page.text), "next": "/"})
    assert response.status_code == 200, response.text
    return Console(client, csrf_of(client.get("/account").text))


@pytest.fixture
def as_role(app) -> Callable[[str], Console]:
    return lambda role: login(TestClient(app), role)
