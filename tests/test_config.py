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
