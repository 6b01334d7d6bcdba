"""Configuration: TOML defaults in config/, then CLAIMS_CONFIG, then CLAIMS_* variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_SECRET = "insecure-development-key-change-me"  # noqa: S105 - the value refused in production


class ConfigError(RuntimeError):
    """The configuration cannot be used (for example production with the default secret)."""


@dataclass(frozen=True)
class Status:
    """One entry of the verification-status vocabulary."""

    id: str
    label_ar: str
    label_en: str
    colour: str
    final: bool
    rating: int | None

    def label(self, lang: str) -> str:
        """The label in the interface language."""
        return self.label_ar if lang == "ar" else self.label_en


def _coerce(raw: str, default: Any) -> Any:
    """Interpret an environment string with the type of the default it overrides."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge default.toml, an optional CLAIMS_CONFIG file, CLAIMS_* variables and overrides."""
    with (CONFIG_DIR / "default.toml").open("rb") as fh:
        settings: dict[str, Any] = tomllib.load(fh)
    extra = os.environ.get("CLAIMS_CONFIG")
    if extra:
        with Path(extra).open("rb") as fh:
            settings.update(tomllib.load(fh))
    for key, default in list(settings.items()):
        env_value = os.environ.get(f"CLAIMS_{key.upper()}")
        if env_value is not None:
            settings[key] = _coerce(env_value, default)
    settings.update(overrides or {})
    return settings


def load_statuses(settings: dict[str, Any]) -> dict[str, Status]:
    """Read the status vocabulary named by the settings, keeping file order."""
    path = Path(settings.get("statuses_file", "statuses.toml"))
    if not path.is_absolute():
        path = CONFIG_DIR / path
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    statuses: dict[str, Status] = {}
    for item in raw.get("status", []):
        status = Status(
            id=item["id"],
            label_ar=item["label_ar"],
            label_en=item["label_en"],
            colour=item["colour"],
            final=bool(item.get("final", False)),
            rating=item.get("rating"),
        )
        if status.id in statuses:
            raise ConfigError(f"duplicate status id {status.id!r} in {path}")
        statuses[status.id] = status
    if not statuses:
        raise ConfigError(f"no statuses defined in {path}")
    return statuses


def check_public_url(settings: dict[str, Any]) -> None:
    """Refuse a ``public_url`` that is not an absolute http(s) address."""
    value = str(settings.get("public_url") or "")
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ConfigError(f"public_url must be an absolute http(s) address, not {value!r}")


def trusted_hosts(settings: dict[str, Any]) -> list[str]:
    """The host names a production app answers to: ``public_url``'s, and those listed in
    ``allowed_hosts`` (comma-separated); production refuses an empty list."""
    names = [urlsplit(str(settings.get("public_url") or "")).hostname or ""]
    names += str(settings.get("allowed_hosts") or "").split(",")
    return [name.strip().lower() for name in names if name.strip()]


def check_production(settings: dict[str, Any]) -> None:
    """Refuse an unsafe production configuration."""
    if settings.get("env") != "production":
        return
    secret = settings.get("secret_key", "")
    if not secret or secret == DEFAULT_SECRET or len(secret) < 32:
        raise ConfigError(
            "refusing to start in production with the default or a short secret key: "
            "set CLAIMS_SECRET_KEY to a random string of at least 32 characters"
        )
    if not trusted_hosts(settings):
        raise ConfigError(
            "refusing to start in production without the host names to answer to: set "
            "CLAIMS_PUBLIC_URL to the address readers use (https://factcheck.example.org), "
            "and CLAIMS_ALLOWED_HOSTS to any other names (comma-separated); otherwise any "
            "Host header a client sends would name the reviews and links the app writes"
        )
