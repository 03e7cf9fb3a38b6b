"""Where the CLI sends its requests and with which key.

Each value comes from the first place that has it: `--url`/`--key`, the environment (`JENGU_URL`, `JENGU_API_KEY`),
the config file (`JENGU_CONFIG`, else `~/.config/jengu/config.toml`: `url = "..."`, `key = "..."`), and last the
local runtime's defaults: `http://127.0.0.1:8787` and, for a local URL only, the `API_KEY` of the repo's `.dev.vars`
(found from the working directory upwards, then beside this package), so a deployed Worker never gets the dev key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8787"
CONFIG_ENV = "JENGU_CONFIG"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})


class ConfigError(Exception):
    """The configuration cannot be used (an unreadable config file, a malformed URL)."""


@dataclass(frozen=True, slots=True)
class Config:
    url: str
    key: str | None
    url_from: str  # where each value came from, for `jengu status` and error messages
    key_from: str


def config_path(env: Mapping[str, str]) -> Path:
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path(env.get("HOME", "~")) / ".config"
    return (base / "jengu" / "config.toml").expanduser()


def read_config_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    values: dict[str, str] = {}
    for name, aliases in (("url", ("url",)), ("key", ("key", "api_key"))):
        for alias in aliases:
            value = data.get(alias)
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"{path}: {alias} must be a string")
            if value:
                values[name] = value
                break
    return values


def is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def dev_vars_key(starts: list[Path]) -> tuple[str, Path] | None:
    """The API_KEY of the first `.dev.vars` beside a `wrangler.toml`, walking up from each start."""
    from dotenv import dotenv_values

    for start in starts:
        for folder in (start, *start.parents):
            candidate = folder / ".dev.vars"
            if candidate.is_file() and (folder / "wrangler.toml").is_file():
                key = dotenv_values(candidate).get("API_KEY")
                if key:
                    return key, candidate
                break
    return None


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{url!r} is not an http(s) URL, e.g. {DEFAULT_URL}")
    return url.rstrip("/")


def load_config(
    *, url: str | None = None, key: str | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Config:
    env = os.environ if env is None else env
    path = config_path(env)
    from_file = read_config_file(path)
    url_choice = next(
        ((v, src) for v, src in ((url, "--url"), (env.get("JENGU_URL"), "JENGU_URL"),
                                 (from_file.get("url"), str(path))) if v),
        (DEFAULT_URL, "default"),
    )  # fmt: skip
    chosen_url = _check_url(url_choice[0])
    key_choice: tuple[str | None, str] = next(
        ((v, src) for v, src in ((key, "--key"), (env.get("JENGU_API_KEY"), "JENGU_API_KEY"),
                                 (from_file.get("key"), str(path))) if v),
        (None, "none"),
    )  # fmt: skip
    if key_choice[0] is None and is_local(chosen_url):
        found = dev_vars_key([cwd or Path.cwd(), PACKAGE_ROOT])
        if found is not None:
            key_choice = (found[0], str(found[1]))
    return Config(url=chosen_url, key=key_choice[0], url_from=url_choice[1], key_from=key_choice[1])
