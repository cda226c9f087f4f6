"""docs/render_brief.py, which renders a brief as GitHub shows it, and the picture it made.

Rendering itself (Chromium, Mermaid) takes seconds and tools CI may lack, so it is not run
here: these tests check the Markdown-to-page step, the one-line failures, and that the
committed picture is the PNG the README shows.
"""

from __future__ import annotations

import importlib.util
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT


def renderer() -> Any:
    spec = importlib.util.spec_from_file_location("render_brief", ROOT / "docs" / "render_brief.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(shutil.which("cmark-gfm") is None, reason="cmark-gfm is not installed (apt-get install cmark-gfm)")
def test_mermaid_blocks_become_mermaid_pages_and_html_stays_text() -> None:
    page = renderer().to_html(
        '# T <b>x</b>\n\n```mermaid\npie title A & B\n    "a <i>" : 1\n```\n\n| a | b |\n|---|---|\n| 1 | <u>2</u> |\n'
    )
    assert '<pre class="mermaid">pie title A &amp; B\n    &quot;a &lt;i&gt;&quot; : 1\n</pre>' in page
    assert "<table>" in page and "<b>" not in page and "<u>" not in page


def test_a_missing_tool_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    modules = tmp_path / "node_modules"
    for path in ("mermaid/dist/mermaid.min.js", "github-markdown-css/github-markdown.css"):
        (modules / path).parent.mkdir(parents=True, exist_ok=True)
        (modules / path).write_text("", encoding="utf-8")
    brief = tmp_path / "brief.md"
    brief.write_text("# Brief\n", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert renderer().main([str(brief), str(tmp_path / "b.png"), "--modules", str(tmp_path)]) == 1
    assert capsys.readouterr().err == "render_brief: cmark-gfm is not installed: apt-get install cmark-gfm\n"
    assert not (tmp_path / "b.png").exists()


def test_the_readme_shows_the_rendered_brief() -> None:
    png = (ROOT / "docs" / "brief.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == renderer().WIDTH and 2000 < height < 6000, (width, height)
    assert len(png) < 1_000_000
    assert "![" in (readme := (ROOT / "README.md").read_text(encoding="utf-8")) and "(docs/brief.png)" in readme
