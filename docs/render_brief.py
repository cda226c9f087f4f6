#!/usr/bin/env python3
"""Render a Markdown brief to a PNG as GitHub shows it: cmark-gfm, GitHub's CSS, Mermaid, Chromium.

    python docs/render_brief.py docs/brief-example.md docs/brief.png
    python docs/render_brief.py --theme dark brief.md brief-dark.png

The Markdown goes through ``cmark-gfm`` (GitHub's own CommonMark implementation, with its
table, strikethrough, autolink and tagfilter extensions, raw HTML left out as GitHub leaves
it), into a page styled by ``github-markdown-css`` at GitHub's reading width, where
``mermaid`` (the version GitHub runs, 11) draws every ``mermaid`` block; headless Chromium
then takes a screenshot of the whole page. It is the check that a brief reads as meant
before anyone opens it on GitHub: what a chart shows, and that every table is whole.

Needs ``cmark-gfm`` and ``chromium`` (``apt-get install cmark-gfm chromium``) and ``npm``;
``mermaid`` and ``github-markdown-css`` are installed by npm into ``--modules`` (default
``$XDG_CACHE_HOME/tradedemands-render``, else ``~/.cache/tradedemands-render``), outside the
repository, the first time. Nothing is downloaded but those two npm packages. Exit 1 with
one line on stderr when a tool is missing or a step fails.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGES = ("mermaid@11", "github-markdown-css@5")
#: GitHub's extensions to CommonMark (raw HTML is left out, as GitHub leaves it).
EXTENSIONS = ("table", "strikethrough", "autolink", "tagfilter")
#: GitHub shows a README or a Markdown file in a column about this wide (pixels, padding included).
WIDTH = 1012
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--allow-file-access-from-files",
)
PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="{css}">
<style>
body {{ margin: 0; background: {background}; }}
.markdown-body {{ box-sizing: border-box; width: {width}px; padding: 32px; }}
pre.mermaid {{ background: transparent; text-align: center; }}
</style></head>
<body><article class="markdown-body">
{body}
</article>
<script src="{mermaid}"></script>
<script>
mermaid.initialize({{ startOnLoad: false, theme: "{mermaid_theme}", securityLevel: "strict" }});
mermaid.run({{ querySelector: "pre.mermaid" }}).then(
  () => {{ document.title = "height:" + document.documentElement.scrollHeight; }},
  (error) => {{ document.title = "error:" + error; }}
);
</script>
</body></html>
"""
_MERMAID_BLOCK = re.compile(r'<pre lang="mermaid"><code>(.*?)</code></pre>', re.S)


class Failed(Exception):
    """A step failed; the message says which and what to do."""


def modules_folder(given: str | None) -> Path:
    """Where the npm packages live (outside the repository)."""
    if given:
        return Path(given).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME")
    base = Path(cache) if cache and os.path.isabs(cache) else Path.home() / ".cache"
    return base / "tradedemands-render"


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise Failed(f"{name} is not installed: apt-get install {name}")
    return found


def install(folder: Path) -> Path:
    """The node_modules folder holding mermaid and github-markdown-css, installed by npm if missing."""
    modules = folder / "node_modules"
    wanted = [modules / "mermaid" / "dist" / "mermaid.min.js", modules / "github-markdown-css" / "github-markdown.css"]
    if all(p.is_file() for p in wanted):
        return modules
    npm = shutil.which("npm")
    if not npm:
        raise Failed("npm is not installed (apt-get install npm); it installs mermaid and github-markdown-css")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), *PACKAGES],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not all(p.is_file() for p in wanted):
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise Failed(f"npm could not install {' and '.join(PACKAGES)} into {folder}: {last[0]}")
    return modules


def to_html(markdown: str) -> str:
    """The brief as GitHub's Markdown renderer writes it, mermaid blocks ready for Mermaid."""
    done = subprocess.run(
        [tool("cmark-gfm"), "--github-pre-lang", *[a for e in EXTENSIONS for a in ("--extension", e)]],
        input=markdown,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise Failed(f"cmark-gfm failed: {done.stderr.strip()[:200]}")
    # Mermaid reads the block's text: unescape what cmark escaped, re-escape for the <pre> it becomes.
    return _MERMAID_BLOCK.sub(
        lambda m: f'<pre class="mermaid">{html.escape(html.unescape(m.group(1)))}</pre>', done.stdout
    )


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [tool("chromium"), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=15000", *args]
    return subprocess.run([*command, page.as_uri()], capture_output=True, text=True, timeout=180)


def render(markdown: str, output: Path, modules: Path, theme: str = "light") -> int:
    """Write the PNG of ``markdown`` to ``output``; returns its height in pixels."""
    css = (
        modules
        / "github-markdown-css"
        / ("github-markdown-dark.css" if theme == "dark" else "github-markdown-light.css")
    )
    page_text = PAGE.format(
        css=css.as_uri(),
        mermaid=(modules / "mermaid" / "dist" / "mermaid.min.js").as_uri(),
        body=to_html(markdown),
        width=WIDTH,
        background="#0d1117" if theme == "dark" else "#ffffff",
        mermaid_theme="dark" if theme == "dark" else "default",
    )
    with tempfile.TemporaryDirectory(prefix="render-brief-") as tmp:
        page = Path(tmp) / "brief.html"
        page.write_text(page_text, encoding="utf-8")
        # First pass: let Mermaid draw, and read the page's height from the title it sets.
        dumped = chromium(page, Path(tmp) / "profile-1", "--dump-dom")
        title = re.search(r"<title>(.*?)</title>", dumped.stdout)
        if not title or not title.group(1).startswith("height:"):
            why = html.unescape(title.group(1)) if title else (dumped.stderr.strip().splitlines() or ["no page"])[-1]
            raise Failed(f"the page did not render: {why[:200]}")
        height = int(title.group(1).split(":", 1)[1])
        shot = Path(tmp) / "brief.png"
        done = chromium(page, Path(tmp) / "profile-2", f"--window-size={WIDTH},{height}", f"--screenshot={shot}")
        if not shot.is_file():
            raise Failed(
                f"chromium took no screenshot: {(done.stderr.strip().splitlines() or ['no output'])[-1][:200]}"
            )
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, output)
    return height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render a Markdown brief to a PNG as GitHub shows it.")
    parser.add_argument("markdown", help="the brief (a Markdown file; - for stdin)")
    parser.add_argument("png", help="where to write the picture")
    parser.add_argument("--theme", choices=("light", "dark"), default="light", help="GitHub's light or dark mode")
    parser.add_argument("--modules", help="where npm installs mermaid and github-markdown-css (outside the repository)")
    args = parser.parse_args(argv)
    try:
        text = sys.stdin.read() if args.markdown == "-" else Path(args.markdown).read_text(encoding="utf-8")
        modules = install(modules_folder(args.modules))
        height = render(text, Path(args.png), modules, args.theme)
    except (Failed, OSError, subprocess.TimeoutExpired) as err:
        print(f"render_brief: {err}", file=sys.stderr)
        return 1
    print(f"wrote {args.png} ({WIDTH}x{height})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
