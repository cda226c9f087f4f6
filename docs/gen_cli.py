"""Write docs/cli.md, the command reference, from the commands' own help text.

Run ``python docs/gen_cli.py`` after changing a command, an option or a help text;
tests/test_docs.py fails while docs/cli.md differs from what this script writes.
It uses Typer's own Markdown generator (what ``typer tradedemands.cli utils docs`` runs),
called directly so that help text stays plain Markdown instead of Rich-rendered HTML.
"""

from __future__ import annotations

from pathlib import Path

import typer
from typer.cli import get_docs_for_click

from tradedemands.cli import app

OUTPUT = Path(__file__).resolve().with_name("cli.md")
HEADER = (
    "<!-- Generated from the commands' help by docs/gen_cli.py: edit the help in "
    "src/tradedemands/cli/, then run python docs/gen_cli.py. -->\n\n"
)


def markdown_epilog(epilog: str) -> str:
    """A command's ``Examples:`` epilog (``cli.options.examples``) as a Markdown console block."""
    head, _, lines = epilog.partition("\n\n")
    return f"**{head.rstrip(':')}**:\n\n```console\n{lines.strip()}\n```"


def render() -> str:
    """The whole reference, as Markdown."""
    command = typer.main.get_command(app)
    for sub in getattr(command, "commands", {}).values():
        if sub.epilog:
            sub.epilog = markdown_epilog(sub.epilog)
    ctx = typer.Context(command, info_name="demands")
    body = get_docs_for_click(obj=command, ctx=ctx, name="demands", title="`demands` command reference")
    return HEADER + body.strip() + "\n"


def main() -> None:
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(Path.cwd()) if OUTPUT.is_relative_to(Path.cwd()) else OUTPUT}")


if __name__ == "__main__":
    main()
