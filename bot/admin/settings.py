"""Console settings, read from the environment once per process.

The project root is configurable (ASSISTANT_ROOT) so tests work on a copy of the data and never
touch the repository's `data/` or `models/`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ADMIN_USER = "admin"
DEFAULT_ADMIN_PASSWORD = "admin"
LOCAL_ENVS = ("local", "development", "dev", "test")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class SettingsError(RuntimeError):
    """A setting makes the console unsafe or unusable; the message says how to fix it."""


@dataclass
class AdminSettings:
    root: Path = REPO_ROOT
    env: str = "local"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    # The Rasa URL the token belongs to (the one configured at start, $RASA_URL): the token is
    # never sent to another URL an admin types on the settings page. Empty = rasa_url.
    rasa_token_url: str = ""
    secret_key: str = ""
    session_minutes: int = 60
    initial_password: str = ""
    # Test-only: lower DIET/TED epochs so the browser test trains in CI time. Empty = config.yml.
    train_epochs: int | None = None
    national_data: Path = field(default_factory=lambda: REPO_ROOT.parent / "shared" / "data"
                                / "national-procedures")
    https_only: bool = False
    # Tracker store as a SQLAlchemy URL (PostgreSQL in production); empty = var/tracker.db.
    tracker_url: str = ""
    # Conversations older than this are deleted (bot/privacy/retention.py).
    retention_days: int = 180

    @property
    def var_dir(self) -> Path:
        return self.root / "var"

    @property
    def admin_db(self) -> Path:
        return self.var_dir / "admin.db"

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "tracker.db"

    @property
    def tracker_db_url(self) -> str:
        return self.tracker_url or f"sqlite:///{self.tracker_db}"

    @property
    def analytics_db(self) -> Path:
        return self.var_dir / "analytics.db"

    @property
    def knowledge_db(self) -> Path:
        return Path(os.environ.get("KNOWLEDGE_DB") or self.var_dir / "knowledge.db")

    @property
    def staff_db(self) -> str:
        """Internal documents for the staff assistant: a SQLite path or a postgresql:// URL."""
        return os.environ.get("STAFF_DB") or str(self.var_dir / "staff.db")

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def is_local(self) -> bool:
        return self.env.lower() in LOCAL_ENVS

    def __post_init__(self) -> None:
        self.rasa_token_url = (self.rasa_token_url or self.rasa_url).rstrip("/")

    def rasa_params(self) -> dict[str, str] | None:
        """Query parameters for Rasa's HTTP API: the token, only for the URL it was given for."""
        if self.rasa_token and self.rasa_url.rstrip("/") == self.rasa_token_url:
            return {"token": self.rasa_token}
        return None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, host: str = "") -> AdminSettings:
        """Settings from the environment; `host` is where the console listens.

        Without ADMIN_ENV the console counts as production (default password refused) unless it
        listens on the loopback interface only.
        """
        env = dict(os.environ if environ is None else environ)
        default_env = "local" if host in LOOPBACK_HOSTS else "production"
        root = Path(env.get("ASSISTANT_ROOT") or REPO_ROOT).resolve()
        epochs = env.get("ADMIN_TRAIN_EPOCHS", "").strip()
        settings = cls(
            root=root,
            env=env.get("ADMIN_ENV") or default_env,
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_token=env.get("RASA_TOKEN") or _read(env.get("RASA_TOKEN_FILE", "")),
            secret_key=env.get("ADMIN_SECRET_KEY", ""),
            session_minutes=int(env.get("ADMIN_SESSION_MINUTES", "60")),
            initial_password=env.get("ADMIN_PASSWORD", ""),
            train_epochs=int(epochs) if epochs else None,
            https_only=env.get("ADMIN_HTTPS_ONLY", "") == "1",
            tracker_url=env.get("TRACKER_DB_URL", ""),
            retention_days=int(env.get("PRIVACY_RETENTION_DAYS") or 180),
        )
        if env.get("NATIONAL_DATA"):
            settings.national_data = Path(env["NATIONAL_DATA"])
        else:
            settings.national_data = root.parent / "shared" / "data" / "national-procedures"
            if not settings.national_data.exists():
                settings.national_data = REPO_ROOT.parent / "shared/data/national-procedures"
        return settings

    def ensure_secret_key(self) -> str:
        """Signing key for session cookies: the env value, else one kept in var/ across restarts."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "admin-secret.key"
        if key_file.exists():
            self.secret_key = key_file.read_text().strip()
        else:
            self.var_dir.mkdir(parents=True, exist_ok=True)
            self.secret_key = secrets.token_urlsafe(48)
            key_file.write_text(self.secret_key)
            key_file.chmod(0o600)
        return self.secret_key


def _read(path: str) -> str:
    """A secret kept in a file (so it is never on a command line), or "" without one."""
    try:
        return Path(path).read_text().strip() if path else ""
    except OSError:
        return ""
