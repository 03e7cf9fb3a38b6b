"""Where the CLI's URL and key come from: flags, environment, config file, the repo's .dev.vars (local URLs only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.config import DEFAULT_URL, ConfigError, load_config


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "wrangler.toml").write_text("name = 'jengu'\n")
    (tmp_path / ".dev.vars").write_text("APP_ENV=development\nAPI_KEY=dev-key\n")
    (tmp_path / "sub").mkdir()
    return tmp_path


def test_precedence_flags_env_file_defaults(repo: Path, tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('url = "https://jengu.example.workers.dev/"\nkey = "file-key"\n')
    env = {"JENGU_CONFIG": str(config_file)}
    from_file = load_config(env=env, cwd=repo / "sub")
    assert (from_file.url, from_file.key) == ("https://jengu.example.workers.dev", "file-key")
    from_env = load_config(env={**env, "JENGU_URL": "http://localhost:9000", "JENGU_API_KEY": "env-key"}, cwd=repo)
    assert (from_env.url, from_env.key, from_env.key_from) == ("http://localhost:9000", "env-key", "JENGU_API_KEY")
    flags = load_config(url="http://127.0.0.1:1", key="flag-key", env={**env, "JENGU_API_KEY": "env-key"}, cwd=repo)
    assert (flags.url, flags.key) == ("http://127.0.0.1:1", "flag-key")


def test_the_dev_key_is_used_for_a_local_url_only(repo: Path) -> None:
    local = load_config(env={"HOME": str(repo)}, cwd=repo / "sub")
    assert (local.url, local.key, local.key_from) == (DEFAULT_URL, "dev-key", str(repo / ".dev.vars"))
    remote = load_config(url="https://jengu.example.workers.dev", env={"HOME": str(repo)}, cwd=repo / "sub")
    assert remote.key is None


def test_bad_configuration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        load_config(url="ftp://x", env={"HOME": str(tmp_path)}, cwd=tmp_path)
    broken = tmp_path / "c.toml"
    broken.write_text("url = [")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(env={"JENGU_CONFIG": str(broken)}, cwd=tmp_path)
