"""Generated files that are committed stay true: the CLI reference, the JSON Schema, the pre-commit hook."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import yaml

from tradedemands.fileschema import SCHEMA_ID, json_schema

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_is_generated_from_the_current_help() -> None:
    spec = importlib.util.spec_from_file_location("gen_cli", ROOT / "docs" / "gen_cli.py")
    assert spec is not None and spec.loader is not None
    gen_cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_cli)
    expected = gen_cli.render()
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is out of date: run python docs/gen_cli.py"
    )
    for command in ("list", "show", "mark", "validate", "schema"):
        assert f"## `demands {command}`" in expected
    assert "(docs/cli.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_committed_schema_is_what_demands_schema_prints(run) -> None:
    r = run("schema")
    assert r.exit_code == 0, r.output
    committed = (ROOT / "docs" / "demands.schema.json").read_text(encoding="utf-8")
    assert committed == r.stdout, (
        "docs/demands.schema.json is out of date: run demands schema > docs/demands.schema.json"
    )
    assert json.loads(committed) == json_schema()


def test_init_points_editors_at_the_committed_schema(run, workspace: Path) -> None:
    assert run("init", "new.yaml").exit_code == 0
    first = (workspace / "new.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_ID}"
    # The URL serves this repository's file: .../<owner>/<repo>/<branch>/docs/demands.schema.json
    assert SCHEMA_ID.startswith("https://") and SCHEMA_ID.endswith("/docs/demands.schema.json")
    assert json.loads((ROOT / "docs" / "demands.schema.json").read_text(encoding="utf-8"))["$id"] == SCHEMA_ID


def test_pre_commit_hook_runs_validate_on_demands_files(run, data_file: Path, workspace: Path) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "demands-validate"
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == ("demands validate", "python", True)
    files = re.compile(hook["files"])
    for path in ("demands.yaml", "data/demands.yaml", "talks/data/demands.yaml", "eu/demands.yaml", "demands.yml"):
        assert files.search(path), path
    for path in ("mydemands.yaml", "demands.yaml.bak", "data/other.yaml"):
        assert not files.search(path), path
    # pre-commit appends the staged files that match to the entry
    (workspace / "sub").mkdir()
    other = workspace / "sub" / "demands.yaml"
    other.write_text(data_file.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    args = hook["entry"].split()[1:] + ["data/demands.yaml", "sub/demands.yaml"]
    r = run(*args)
    assert r.exit_code == 1, r.output
    assert "data/demands.yaml: valid (17 items)" in r.stderr and "sub/demands.yaml:" in r.stderr, r.output
    assert run(*args[:-1]).exit_code == 0


def test_readme_shows_the_pre_commit_configuration() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.S)
    assert block, "README should show a .pre-commit-config.yaml snippet"
    config = yaml.safe_load(block.group(1))
    [repo] = config["repos"]
    assert repo["hooks"] == [{"id": "demands-validate"}]
    assert SCHEMA_ID.split("/")[3:5] == repo["repo"].split("/")[3:5], "the snippet and SCHEMA_ID name one repository"
