"""``import tradedemands`` is a library: documented functions, lazily imported, messages in its own terms."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import tradedemands
from tradedemands import read, write
from tradedemands.errors import DemandsError

ROOT = Path(__file__).resolve().parent.parent


def readme_example() -> tuple[str, str]:
    """The README's Python example and the output it shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using it from Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    shown = re.search(r"```console\n(.*?)```", section, re.S)
    assert code and shown, "README's 'Using it from Python' needs a python block and its output"
    return code.group(1), shown.group(1)


def test_the_readme_example_prints_what_the_readme_shows(workspace: Path) -> None:
    code, shown = readme_example()
    done = subprocess.run([sys.executable, "-c", code], cwd=workspace, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == shown


def test_every_public_name_is_there_and_documented() -> None:
    assert set(tradedemands.__all__) == {"__version__", *tradedemands._WHERE}
    for name in tradedemands._WHERE:
        value = getattr(tradedemands, name)
        assert not inspect.ismodule(value), name
        assert inspect.getdoc(value), f"tradedemands.{name} has no docstring"
    assert set(dir(tradedemands)) >= set(tradedemands.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = tradedemands.nothing  # type: ignore[attr-defined]


def test_no_public_name_is_shadowed_by_a_module_of_the_package() -> None:
    """Importing tradedemands.X sets the package's attribute X to the module: no public name may be one."""
    modules = {m.name for m in pkgutil.iter_modules(tradedemands.__path__)}
    assert not modules & set(tradedemands.__all__), modules & set(tradedemands.__all__)
    for name in sorted(modules - {"__main__"}):
        importlib.import_module(f"tradedemands.{name}")
    assert tradedemands.diff is read.diff and tradedemands.validate is read.validate
    assert tradedemands.edit is write.edit


def test_the_static_view_lists_every_public_name() -> None:
    """What type checkers see (the TYPE_CHECKING imports) is what __getattr__ gives."""
    source = (ROOT / "src" / "tradedemands" / "__init__.py").read_text(encoding="utf-8")
    static = source.split("if typing.TYPE_CHECKING:", 1)[1]
    imported = {
        (module, name)
        for module, grouped, names in re.findall(r"from \.(\w+) import (?:\(([^)]*)\)|([\w, ]+))", static)
        for name in re.sub(r"#[^\n]*", "", grouped or names).replace(" ", "").replace("\n", "").split(",")
        if name
    }
    assert imported == {(module, name) for name, module in tradedemands._WHERE.items()}


def test_importing_the_package_imports_nothing_else() -> None:
    code = "import sys, tradedemands; print(sorted(m for m in sys.modules if m.startswith('tradedemands')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['tradedemands']"


def test_errors_are_the_package_own_and_name_arguments_not_options(data_file: Path) -> None:
    with pytest.raises(tradedemands.UsageError) as caught:
        tradedemands.add(data_file, party="us", title="  ")
    assert str(caught.value) == "title must not be empty"
    assert caught.value.worded("--title") == "--title must not be empty"
    with pytest.raises(tradedemands.DemandsError) as linked:
        tradedemands.remove(data_file, "CN-5")
    assert str(linked.value) == "CN-5 is linked from US-1; unlink those first or pass force=True"
    with pytest.raises(tradedemands.UsageError, match=r"^bad date 'soon' for as_of: use YYYY-MM-DD"):
        tradedemands.list_items(data_file, as_of="soon")
    with pytest.raises(tradedemands.UsageError, match=r"^only_open and only_closed exclude each other; use one$"):
        tradedemands.list_items(data_file, tradedemands.Filters(only_open=True, only_closed=True))
    assert issubclass(tradedemands.UnknownId, DemandsError) and issubclass(tradedemands.InvalidFile, DemandsError)


def test_a_value_typed_like_the_token_stays_as_typed(run) -> None:
    """The token standing for an option's name cannot be typed: a value that looks like it stays as it is."""
    r = run("mark", "US-1", "open", "--date", "{option}")
    today = date.today().isoformat()
    assert (r.exit_code, r.stderr) == (
        2,
        f"demands: bad date '{{option}}' for --date: use YYYY-MM-DD like {today}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)\n",
    )


def test_writes_return_what_changed_and_leave_words_to_the_caller(data_file: Path) -> None:
    [change] = tradedemands.mark(data_file, ["us-3"], "agreed", date="2018-05-20")
    assert (change.id, change.old, change.new, change.status, change.changed) == (
        "US-3",
        "open",
        "agreed",
        "agreed",
        True,
    )
    [back] = tradedemands.mark(data_file, ["US-3"], "discussing", date="2018-05-10")
    assert (back.new, back.set_on, back.later) == ("agreed", "2018-05-20", 1)
    assert tradedemands.add(data_file, party="China", title="Lift the ZTE ban", tags=["zte"]) == "CN-8"
    assert tradedemands.edit(data_file, "CN-8", priority="high", add_tags=["sanctions"]).changed == ["priority", "tags"]
    assert tradedemands.undo(data_file).what == "edit CN-8"
    assert tradedemands.load(data_file).item("CN-8")["tags"] == ["zte"]


def test_the_cli_imports_no_library_module_at_start_up() -> None:
    code = "import sys, tradedemands.cli; print(sorted(m for m in sys.modules if m.startswith('tradedemands.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(eval(done.stdout))
    library = {f"tradedemands.{m.name}" for m in pkgutil.iter_modules(tradedemands.__path__)} - {"tradedemands.cli"}
    assert not loaded & (library - {"tradedemands.errors"}), loaded & library


def test_one_name_where_several_are_taken_is_one_name_not_its_characters(data_file: Path) -> None:
    [view] = tradedemands.show(data_file, "us-1").views
    assert view.item["id"] == "US-1"
    assert [
        i["id"] for i in tradedemands.list_items(data_file, tradedemands.Filters(parties="cn", kinds="red-line")).items
    ] == [
        "CN-4",
        "CN-5",
    ]
    # China's items, and the agreement it shares with the US
    assert {r["id"] for r in tradedemands.log(data_file, parties="China").records} == {
        *(f"CN-{n}" for n in range(1, 8)),
        "US-CN-1",
    }
    assert [t["topic"] for t in tradedemands.compare(data_file, "us", "cn", topics="cyberespionage").topics] == [
        "cyberespionage"
    ]
    assert tradedemands.brief(data_file, parties="us").markdown().count("## China") == 0
    new_id = tradedemands.add(data_file, party="cn", title="Lift the ZTE ban", tags="zte")
    assert tradedemands.load(data_file).item(new_id)["tags"] == ["zte"]
    assert tradedemands.edit(data_file, new_id, add_tags="sanctions", remove_tags="zte").changed == ["tags"]
    [change] = tradedemands.mark(data_file, "us-3", "agreed", date="2018-05-20")
    assert (change.id, change.new) == ("US-3", "agreed")
    assert tradedemands.undo(data_file).what == "mark us-3 agreed"


def test_validate_takes_one_path_and_load_finds_the_file_like_the_rest(data_file: Path) -> None:
    [report] = tradedemands.validate(str(data_file)).files
    assert (report.file, report.valid, report.items) == (str(data_file), True, 17)
    assert tradedemands.load().path == data_file  # $DEMANDS_FILE, as the command line finds it
