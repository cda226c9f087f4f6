"""The command line's shape: command groups, one output path, Typer's internals pinned to the range we support."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "src" / "tradedemands" / "cli"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_each_group_registers_the_commands_declared_for_it() -> None:
    from tradedemands.cli import app
    from tradedemands.cli._typer import command_name
    from tradedemands.cli.main import GROUPS

    registered: dict[str, list[str]] = {}
    for command in app.registered_commands:
        registered.setdefault(command.callback.__module__.rpartition(".")[2], []).append(command_name(command))
    assert registered == {group: list(names) for group, names in GROUPS.items()}
    assert [command_name(c) for c in app.registered_commands] == [n for names in GROUPS.values() for n in names]


def test_a_command_loads_only_its_own_group(workspace: Path) -> None:
    code = (
        "import sys; sys.argv = ['demands', 'log', '-n', '1']\n"
        "from tradedemands.cli import app\n"
        "try:\n    app(prog_name='demands')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(sorted(m for m in sys.modules if m.startswith('tradedemands.cli.'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=workspace, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stderr.split())
    assert "tradedemands.cli.history" in loaded
    assert not loaded & {f"tradedemands.cli.{g}" for g in ("read", "write", "reports", "targets", "git")}, loaded


def test_no_command_chooses_a_format_itself() -> None:
    """Formats are chosen in one place, cli/output.py's emit: no command module compares formats."""
    for path in CLI.glob("*.py"):
        if path.name in ("output.py", "options.py"):
            continue
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"fmt\s*==|Format\.\w+\s*:|\.serialise\(", source), f"{path.name} chooses a format"


def test_commands_are_a_handful_of_lines() -> None:
    """Each command's body (after its docstring) is a few statements: imports, one library call, emit."""
    for path in CLI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            is_command = isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "command" for d in node.decorator_list
            )
            if not is_command:
                continue
            body = [s for s in node.body[1:] if not isinstance(s, ast.ImportFrom)]
            limit = 12 if node.name == "merge_driver" else 6
            assert len(body) <= limit, f"{path.name}: {node.name} has {len(body)} statements"


def test_typer_is_in_the_range_pyproject_allows() -> None:
    import typer

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    [spec] = [d for d in dependencies if d.startswith("typer")]
    low, high = re.fullmatch(r"typer>=([\d.]+),<([\d.]+)", spec).groups()  # type: ignore[union-attr]

    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", text)[:3])

    assert version(low) <= version(typer.__version__) < version(high), (typer.__version__, spec)


@pytest.mark.parametrize("name", __import__("tradedemands.cli._typer", fromlist=["INTERNALS"]).INTERNALS)
def test_every_typer_internal_used_is_there(name: str) -> None:
    """cli/_typer.py lists each private part of Typer it uses; the installed Typer has each."""
    module, _, attribute = name.rpartition(".")
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError:
        owner, _, cls = module.rpartition(".")
        found = getattr(importlib.import_module(owner), cls)
    if attribute in ("registered_commands", "registered_callback"):
        import typer

        assert hasattr(typer.Typer(), attribute), name
        return
    assert hasattr(found, attribute), name


def test_only_cli_typer_reaches_into_typer_private_modules() -> None:
    for path in (ROOT / "src" / "tradedemands").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path.name != "_typer.py":
            assert not re.search(r"typer\._|from typer\.core|typer\.core\.", source), f"{path} reaches into Typer"
