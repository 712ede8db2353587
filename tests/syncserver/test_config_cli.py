"""Configuration (defaults, file, environment) and the `loket-server` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncserver import config
from syncserver.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "syncserver" / "loket-server.sample.toml"


def test_sample_config_parses_and_sets_every_option() -> None:
    values = config.read_file(SAMPLE)
    assert set(values) == {o.name for o in config.OPTIONS}
    assert values == {k: v for k, v in config.defaults().items()}


def test_schema_declares_each_option_once_with_its_type() -> None:
    """The Settings fields are the schema: each option's default passes its own converter
    unchanged and has the declared type; every option can be set through its environment
    variable; the object cannot be changed once built."""
    import dataclasses

    names = [o.name for o in config.OPTIONS]
    assert len(names) == len(set(names)) and "data_dir" not in names
    assert {f.name for f in dataclasses.fields(config.Settings)} == {*names, "data_dir"}
    for option in config.OPTIONS:
        assert option.help.strip(), option.name
        assert type(option.convert(option.default)) is option.type, option.name
        assert option.convert(option.default) == option.default, option.name
    env = {
        "LOKET_" + o.name.upper(): str(o.default).lower() if o.type is bool else str(o.default)
        for o in config.OPTIONS
    }
    got = config.load(Path("/nonexistent-loket-data"), env=env)
    for option in config.OPTIONS:
        if option.name != "database":
            assert getattr(got, option.name) == option.default, option.name
    for option in config.OPTIONS:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(got, option.name, option.default)


def test_precedence_defaults_file_env_flags(tmp_path: Path) -> None:
    (tmp_path / config.CONFIG_FILE_NAME).write_text(
        'port = 9000\nworkers = 3\nlog_level = "debug"\n'
    )
    env = {"LOKET_WORKERS": "5", "LOKET_PASSWORD": "not an option"}
    got = config.load(tmp_path, env=env, overrides={"log_level": "ERROR", "host": None})
    assert (got.port, got.workers, got.log_level, got.host) == (
        9000,
        5,
        "ERROR",
        "127.0.0.1",
    )
    assert got.database == f"sqlite:///{(tmp_path / 'loket-server.db').resolve()}"


@pytest.mark.parametrize(
    ("file_text", "env", "needle"),
    [
        ("port = 99999\n", {}, "option 'port' from config file"),
        ("colour = 1\n", {}, "unknown option 'colour'"),
        ("port = [\n", {}, "not valid TOML"),
        ("", {"LOKET_WORKERS": "many"}, "option 'workers' from environment variable LOKET_WORKERS"),
        (
            "",
            {"LOKET_DATABASE": "mysql://x"},
            "option 'database' from environment variable LOKET_DATABASE",
        ),
        (
            'console_database = "sqlite:///x.db"\n',
            {},
            "option 'console_database' from config file",
        ),
        (
            'console_database = "postgresql+psycopg://u:p@standby/loket"\n',
            {},
            "console_database is a standby of a PostgreSQL database",
        ),
    ],
)
def test_errors_name_the_option_and_source(
    tmp_path: Path, file_text: str, env: dict, needle: str
) -> None:
    (tmp_path / config.CONFIG_FILE_NAME).write_text(file_text)
    with pytest.raises(config.ConfigError, match=needle):
        config.load(tmp_path, env=env)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_admin_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert _cli(capsys, *d, "stats", "--json")[0] != 0  # not migrated yet: a clear refusal
    assert _cli(capsys, *d, "migrate")[0] == 0
    code, out, _ = _cli(
        capsys, *d, "add-office", "320101", "--name", "Disnaker Bogor", "--regency", "32.01"
    )
    assert code == 0
    assert _cli(capsys, *d, "add-office", "329901", "--name", "X", "--regency", "3299")[0] == 1
    assert _cli(capsys, *d, "add-office", "320201", "--name", "X", "--regency", "3201")[0] == 1
    code, out, _ = _cli(capsys, *d, "enroll-code", "320101")
    assert code == 0 and len(out.strip().splitlines()[-1].replace("-", "")) == 16
    monkeypatch.setenv("LOKET_PASSWORD", "rahasia-sekali")
    assert _cli(capsys, *d, "add-user", "admin", "--role", "admin")[0] == 0
    assert _cli(capsys, *d, "add-user", "admin", "--role", "viewer")[0] == 1  # exists
    monkeypatch.setenv("LOKET_PASSWORD", "lupa-lagi-123")
    assert _cli(capsys, *d, "set-user-password", "nobody")[0] == 1
    code, out, _ = _cli(capsys, *d, "set-user-password", "admin")
    assert code == 0 and "0 session(s) signed out" in out
    monkeypatch.setenv("LOKET_PASSWORD", "rahasia-sekali")
    assert _cli(capsys, *d, "set-user-password", "admin")[0] == 0
    code, out, _ = _cli(capsys, *d, "stats", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["registrations"] == 0 and stats["devices"] == 0
    assert {"duplicate_flagged", "kk_limit_flagged", "batches", "by_status"} <= set(stats)

    from argon2 import PasswordHasher
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path / 'loket-server.db'}")
    with engine.connect() as conn:
        pw_hash, role = conn.execute(text("SELECT password_hash, role FROM staff_users")).one()
    engine.dispose()
    assert (
        pw_hash.startswith("$argon2id$")
        and PasswordHasher().verify(pw_hash, "rahasia-sekali")
        and role == "admin"
    )


def test_cli_global_database_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    assert _cli(capsys, "--data-dir", str(tmp_path / "d"), "--database", url, "migrate")[0] == 0
    assert (tmp_path / "elsewhere.db").exists() and not (
        tmp_path / "d" / "loket-server.db"
    ).exists()


def test_cli_reports_config_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOKET_PORT", "http")
    code, _, err = _cli(capsys, "--data-dir", str(tmp_path), "migrate")
    assert code == 2 and "LOKET_PORT" in err
