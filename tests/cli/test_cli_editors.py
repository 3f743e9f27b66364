"""`matcher editors` and `matcher history`."""

from __future__ import annotations


def _add(runner, *args):
    result = runner.invoke(args=["editors", "add", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def test_editors_add_prints_a_link_and_the_token_on_the_last_line(runner, web_app):
    lines = _add(runner, "--city", "nl-emmen", "--name", "Ann Editor")
    token = lines[-1]
    assert token.startswith("cm_") and " " not in token
    assert any("/sign-in/" in line for line in lines)
    client = web_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"need": {"open-data": 0.4}}
    assert (
        client.put("/api/v1/cities/nl-emmen/profile", json=body, headers=headers).status_code == 200
    )
    refused = client.put("/api/v1/cities/de-haren-ems/profile", json=body, headers=headers)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_history_names_the_editor(runner, web_app):
    token = _add(runner, "--city", "nl-emmen", "--name", "Ann Editor")[-1]
    web_app.test_client().put(
        "/api/v1/cities/nl-emmen/profile",
        json={"need": {"open-data": 0.4}},
        headers={"Authorization": f"Bearer {token}"},
    )
    result = runner.invoke(args=["history", "--city", "nl-emmen"])
    assert result.exit_code == 0
    assert "Ann Editor (editor of nl-emmen)" in result.output
    assert "need open-data" in result.output and "0.4" in result.output


def test_an_import_from_the_command_line_is_in_the_history(runner, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("slug,name,country,population\nnl-emmen,Emmen,NL,107000\n", encoding="utf-8")
    assert runner.invoke(args=["import", "cities", str(path)]).exit_code == 0
    result = runner.invoke(args=["history", "--city", "nl-emmen"])
    assert "command line" in result.output and "import.cities" in result.output


def test_list_and_revoke(runner):
    _add(runner, "--admin", "--name", "Steward")
    listed = runner.invoke(args=["editors", "list"]).output
    assert "Steward" in listed and "administrator" in listed
    assert runner.invoke(args=["editors", "revoke", "1"]).exit_code == 0
    assert "Steward" not in runner.invoke(args=["editors", "list"]).output
    assert "revoked" in runner.invoke(args=["editors", "list", "--all"]).output


def test_a_bad_scope_fails_clearly(runner):
    result = runner.invoke(args=["editors", "add", "--city", "xx-nowhere", "--name", "A"])
    assert result.exit_code == 1 and "no city with slug 'xx-nowhere'" in result.output
    result = runner.invoke(args=["editors", "add", "--name", "A"])
    assert result.exit_code == 1 and "exactly one scope" in result.output


def test_status_says_how_to_make_the_first_administrator(runner):
    result = runner.invoke(args=["editors", "status"])
    assert "editors add --admin" in result.output
    _add(runner, "--admin", "--name", "Steward")
    assert "editors add --admin" not in runner.invoke(args=["editors", "status"]).output
