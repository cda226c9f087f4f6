"""Packaging: the licence, the metadata PyPI shows, and the pre-commit hook's reach."""

from __future__ import annotations

import re
import sys

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: The Pythons CI runs the suite on (.ci/run: the lowest and highest found, and the default).
SUPPORTED = ["3.10", "3.11", "3.12", "3.13"]


def test_the_licence_file_is_the_mit_licence_the_metadata_names() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) ")
    assert "Permission is hereby granted, free of charge" in text


def test_the_build_backend_writes_metadata_that_carries_a_licence_expression() -> None:
    """License-Expression needs metadata 2.4, which hatchling writes from 1.27 on."""
    (requirement,) = PYPROJECT["build-system"]["requires"]
    name, _, spec = requirement.partition(">")
    assert name == "hatchling"
    allowed = SpecifierSet(">" + spec)
    assert Version("1.26.3") not in allowed and Version("1.27.0") in allowed


def test_classifiers_name_the_pythons_ci_runs_and_requires_python_allows() -> None:
    project = PYPROJECT["project"]
    claimed = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if re.fullmatch(r".*:: 3\.\d+", c)]
    assert claimed == SUPPORTED
    assert all(Version(v) in SpecifierSet(project["requires-python"]) for v in SUPPORTED)
    assert Version("3.9") not in SpecifierSet(project["requires-python"])
    assert {"Homepage", "Issues", "Changelog"} <= set(project["urls"])


def test_the_hook_reaches_demands_files_by_their_usual_names() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["pass_filenames"]) == ("demands-validate", "demands validate", True)
    files = re.compile(hook["files"])
    for name in (
        "demands.yaml",
        "data/demands.yaml",
        "talks/2018/demands.yml",
        "g7.demands.yaml",
        "eu-uk-demands.yaml",
        "wto_demands.yml",
    ):
        assert files.search(name), name
    for name in ("talks.yaml", "mydemands.yaml", "demands.yaml.bak", "demands.json", ".pre-commit-config.yaml"):
        assert not files.search(name), name


def test_the_readme_pre_commit_snippets_name_the_hook_and_no_made_up_tag() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippets = [yaml.safe_load(s) for s in re.findall(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.S)]
    assert len(snippets) == 2, "a remote hook and a local one"
    remote, local = (s["repos"][0] for s in snippets)
    assert remote["hooks"][0]["id"] == "demands-validate"
    assert not re.fullmatch(r"v\d+(\.\d+)*", str(remote["rev"])), "no release tag exists yet"
    assert local["repo"] == "local" and local["hooks"][0]["entry"] == "demands validate"
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert local["hooks"][0]["files"] == hook["files"]
