from matcher.config import default_config, from_environment


def test_environment_overrides_defaults():
    config = from_environment(
        default_config("/tmp/x"), {"MATCHER_DATABASE_URL": "postgresql+psycopg://h/db"}
    )
    assert config["DATABASE_URL"] == "postgresql+psycopg://h/db"


def test_default_database_is_sqlite_in_the_instance_folder():
    assert default_config("/srv/inst")["DATABASE_URL"] == "sqlite:////srv/inst/matcher.sqlite3"


def test_boolean_settings_are_parsed_from_text():
    config = from_environment(default_config("/tmp/x"), {"MATCHER_SQL_ECHO": "true"})
    assert config["SQL_ECHO"] is True


def test_unrelated_environment_is_ignored():
    config = from_environment(default_config("/tmp/x"), {"DATABASE_URL": "sqlite://"})
    assert config["DATABASE_URL"].endswith("matcher.sqlite3")


def test_test_overrides_win_over_environment(monkeypatch, tmp_path):
    from matcher import create_app

    monkeypatch.setenv("MATCHER_SECRET_KEY", "from-env")
    app = create_app({"SECRET_KEY": "from-test", "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    assert app.config["SECRET_KEY"] == "from-test"


def test_production_refuses_the_placeholder_secret(tmp_path):
    import pytest

    from matcher.config import DEFAULT_SECRET_KEY, InsecureConfiguration, resolve_secret_key

    config = {"SECRET_KEY": DEFAULT_SECRET_KEY, "ENV": "production"}
    with pytest.raises(InsecureConfiguration, match="MATCHER_SECRET_KEY"):
        resolve_secret_key(config, tmp_path)


def test_development_replaces_the_placeholder_with_a_kept_random_key(tmp_path):
    from matcher.config import DEFAULT_SECRET_KEY, resolve_secret_key

    first = {"SECRET_KEY": DEFAULT_SECRET_KEY, "ENV": "development"}
    second = dict(first)
    assert resolve_secret_key(first, tmp_path)
    resolve_secret_key(second, tmp_path)
    assert first["SECRET_KEY"] == second["SECRET_KEY"] != DEFAULT_SECRET_KEY
    assert len(first["SECRET_KEY"]) >= 32


def test_a_real_secret_is_kept_as_given(tmp_path):
    from matcher.config import resolve_secret_key

    config = {"SECRET_KEY": "a-real-one", "ENV": "production"}
    assert resolve_secret_key(config, tmp_path) is None and config["SECRET_KEY"] == "a-real-one"
