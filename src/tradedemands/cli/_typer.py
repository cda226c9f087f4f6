"""Where the command line reaches into Typer's internals: every such use is in this module.

- ``Group``: runs a command with ``standalone_mode=False`` and maps every failure to one line
  on stderr and an exit code (the one error mapper: library errors, click's usage errors,
  signals, a closed pipe, the machine's conditions).
- ``App``: imports only the module of the command asked for, and builds only that command
  (Typer builds every command's options on each run otherwise), from
  ``Typer.registered_commands``.
- Shell completion: bash and zsh classes on Typer's completion protocol
  (``typer._completion_classes``), and Typer's own script and install functions
  (``typer._completion_shared``) for what ``shells`` does not write itself.

Typer is pinned to a range (pyproject.toml) because of these; ``INTERNALS`` names every private
thing used, and tests/test_typer_internals.py checks that the installed Typer has them.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from typer import _click
from typer._click.shell_completion import CompletionItem, add_completion_class
from typer._completion_classes import BashComplete as TyperBash
from typer._completion_classes import FishComplete, PowerShellComplete, _sanitize_help_text
from typer._completion_classes import ZshComplete as TyperZsh
from typer.core import TyperGroup

from ..errors import DemandsError, InvalidFile, UsageError
from .output import clip_line, message, safe

#: The private (or undocumented) parts of Typer this module relies on, for the pinned-range test.
INTERNALS = (
    "typer._click.exceptions.NoArgsIsHelpError",
    "typer._click.exceptions.ClickException",
    "typer._click.shell_completion.CompletionItem",
    "typer._click.shell_completion.add_completion_class",
    "typer._completion_classes.BashComplete",
    "typer._completion_classes.ZshComplete",
    "typer._completion_classes.FishComplete",
    "typer._completion_classes.PowerShellComplete",
    "typer._completion_classes._sanitize_help_text",
    "typer._completion_shared.get_completion_script",
    "typer._completion_shared._get_shell_name",
    "typer._completion_shared.install",
    "typer.core.TyperGroup.main",
    "typer.main.Typer.registered_commands",
    "typer.main.Typer.registered_callback",
)

#: Handled before Typer parses anything (see ``App.__call__``), so that each takes a shell name.
COMPLETION_OPTIONS = ("--install-completion", "--show-completion")


class Group(TyperGroup):
    """Turns every failure into one line on stderr and an exit code (1: data or operation, 2: usage)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Run the command; every failure becomes one line on stderr and an exit code."""
        from .. import errors, settings, signals
        from ..collector import paused
        from .output import begin

        begin()
        kwargs["standalone_mode"] = False
        completing = bool(os.environ.get("_DEMANDS_COMPLETE"))
        previous = {} if completing else signals.install_signal_handlers()
        try:
            if not completing:
                settings.check()
                words = kwargs.get("args") or (args[0] if args else None) or sys.argv[1:]
                not_text = undecodable(self, list(words))
                if not_text is not None:
                    raise UsageError(not_text)
            # A command is short-lived and builds no reference cycles (see collector); the
            # library's warnings are our warning lines.
            with paused(), warnings.catch_warnings():
                warnings.showwarning = _warning_line(warnings.showwarning)
                code = super().main(*args, **kwargs)
        except InvalidFile as err:
            for problem in err.problems:
                typer.echo(safe(clip_line(str(problem))), err=True)
            closing = getattr(err, "closing", None)
            if closing:
                typer.echo(f"demands: {safe(clip_line(closing))}", err=True)
            sys.exit(err.exit_code)
        except DemandsError as err:  # a library error, or a bad DEMANDS_* setting before any command ran
            typer.echo(f"demands: {safe(clip_line(message(err)))}", err=True)
            sys.exit(err.exit_code)
        except signals.Interrupted as err:
            from ..atomic import remove_temps

            remove_temps()
            typer.echo(f"demands: {safe(err.message())}", err=True)
            sys.exit(err.exit_code)
        except _click.exceptions.NoArgsIsHelpError as err:
            # Making the error drew the help already when Rich draws it (its text is then empty).
            shown = err.format_message()
            if shown.strip():
                typer.echo(shown)
            sys.exit(0)
        except _click.exceptions.ClickException as err:
            ctx = getattr(err, "ctx", None)
            where = ctx.command_path if ctx is not None else "demands"
            hint = f" (see '{where} --help')" if ctx is not None else ""
            said = err.format_message()
            if said.startswith("Got unexpected extra argument"):
                hint = f': quote text that has spaces, like "a note with spaces"{hint}'
            # Click's own messages quote what was typed: clipped and made one line like ours.
            from ..escape import CLIP, clip

            said = clip(" ".join(said.split("\n")), CLIP + 100)
            typer.echo(f"{where}: {safe(said)}{hint}", err=True)
            sys.exit(err.exit_code)
        except typer.Abort:
            typer.echo("aborted; nothing was changed", err=True)
            sys.exit(1)
        except (KeyboardInterrupt, EOFError):
            typer.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(1)
        except UnicodeEncodeError as err:
            # Machine formats are never altered to fit the terminal (tables are: see render.console).
            typer.echo(
                f"demands: the output holds characters the {err.encoding} encoding cannot write; "
                "use a UTF-8 locale (LANG=C.UTF-8) or set PYTHONIOENCODING=utf-8",
                err=True,
            )
            sys.exit(1)
        except OSError as err:
            # A condition of the machine (disk full, permissions, I/O error) that no write path
            # worded already: never an "internal error". Every write path words its own.
            if _debug():
                raise
            where = f"{err.filename}: " if err.filename else ""
            if not where and isinstance(err, FileNotFoundError) and _cwd_gone():
                where = "the current folder no longer exists (it was deleted or moved); cd to one that exists: "
            typer.echo(f"demands: {safe(clip_line(f'{where}{errors.cause(err)}'))}", err=True)
            sys.exit(1)
        except Exception as err:
            if _debug():
                raise
            typer.echo(
                safe(
                    clip_line(
                        f"demands: internal error: {type(err).__name__}: {' '.join(str(err).split())}; "
                        "set DEMANDS_DEBUG=1 to see where"
                    )
                ),
                err=True,
            )
            sys.exit(1)
        finally:
            signals.restore_signal_handlers(previous)
        sys.exit(code if isinstance(code, int) else 0)


def _warning_line(shown: Callable[..., None]) -> Callable[..., None]:
    """``warnings.showwarning`` for a command: a warning of the library's (``cache.CacheWarning``)
    is one ``demands: warning: ...`` line on stderr; any other is shown by ``shown``, as before."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if category.__module__.startswith("tradedemands."):
            from .output import warn

            warn(str(message))
        else:
            shown(message, category, *args, **kwargs)

    return show


def _cwd_gone() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


#: Parameters that name files (or git revisions): a file name may hold any bytes, text may not.
PATH_PARAMS = frozenset({"file", "output", "path", "base", "ours", "theirs", "old", "new"})


def undecodable(group: Any, words: list[str]) -> str | None:
    """What to say when an argument meant as text is not valid UTF-8 (the shell passed bytes
    Python keeps as lone surrogates, such as ``caf\\xe9`` in a Latin-1 terminal): naming its
    option or argument. None when every argument is text, names a file (``PATH_PARAMS``), or
    is one click will refuse anyway (an unknown command, option or extra argument)."""
    if not any(_surrogates(word) for word in words):
        return None
    command = group.commands.get(words[0]) if words else None
    if command is None:
        return None
    params = list(command.params)
    options = {name: p for p in params if p.param_type_name == "option" for name in (*p.opts, *p.secondary_opts)}
    arguments = [p for p in params if p.param_type_name == "argument"]
    n, at, literal = 1, 0, False
    while n < len(words):
        word, param, value = words[n], None, None
        if not literal and word == "--":
            literal = True
        elif not literal and word.startswith("-") and len(word) > 1:
            name, eq, attached = word.partition("=") if word.startswith("--") else (word[:2], "", word[2:])
            param = options.get(name)
            if param is not None and not (param.is_flag or param.count):
                if eq or attached:
                    value = attached
                elif n + 1 < len(words):
                    n, value = n + 1, words[n + 1]
        elif at < len(arguments):
            param, value = arguments[at], word
            at += 0 if arguments[at].nargs == -1 else 1
        if value is not None and param is not None and _surrogates(value) and param.name not in PATH_PARAMS:
            named = max(param.opts, key=len) if param.param_type_name == "option" else param.human_readable_name
            return _not_text(value, named)
        n += 1
    return None


def _surrogates(word: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in word)


def _not_text(word: str, named: str) -> str:
    from ..escape import clip

    shown = clip(repr(os.fsencode(word))[2:-1])  # the bytes as typed: caf\xe9
    return f"{named} is not valid UTF-8 text: '{shown}'; type it in a UTF-8 terminal (LANG=C.UTF-8)"


def _debug() -> bool:
    from .. import settings

    try:
        return settings.debug()
    except UsageError:
        return False


def _quiet_stdout() -> None:
    """After a closed pipe (``demands list | head``), stop Python complaining at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class App(typer.Typer):
    """The ``demands`` application; when run, loads and builds only the command asked for.

    The commands live in modules of one package, one per group (``groups``: module name to
    the commands it registers, in the order ``--help`` lists them). A run imports only the
    module of its command, and Typer builds only that command (turning every command's
    signature into click options takes about 30 ms for all of ours). Anything else (help,
    completion, a misspelt command, an option before the command, reading
    ``registered_commands``) loads every group and gets the whole app.
    """

    def __init__(self, *args: Any, package: str, groups: dict[str, tuple[str, ...]], **kwargs: Any) -> None:
        self._package = package
        self._groups = groups
        self._loaded: set[str] = set()
        self._registering = 0
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def registered_commands(self) -> list[Any]:
        """Every command, each group's module loaded (while one registers: the commands so far)."""
        if not self._registering:
            self.load(*self._groups)
        return self._commands

    @registered_commands.setter
    def registered_commands(self, commands: list[Any]) -> None:
        """Typer's own assignment (``[]`` when the app is made)."""
        self._commands = commands

    def load(self, *groups: str) -> None:
        """Import the modules of ``groups``, which register their commands, kept in the order of ``groups``."""
        import importlib

        order = list(self._groups)
        for group in groups:
            if group in self._loaded:
                continue
            self._loaded.add(group)
            self._registering += 1
            try:
                importlib.import_module(f"{self._package}.{group}")
            finally:
                self._registering -= 1
            self._commands.sort(key=lambda command: order.index(command.callback.__module__.rpartition(".")[2]))

    def group_of(self, name: str | None) -> str | None:
        """The group that holds the command ``name`` (None: no such command)."""
        return next((group for group, names in self._groups.items() if name in names), None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the program (the ``demands`` script, ``python -m tradedemands``)."""
        from .. import signals

        signals.as_program()
        try:
            return self._run(*args, **kwargs)
        finally:
            signals.hold_to_the_end()  # a change landed: no signal may turn its exit into 128+N now

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        words = kwargs.get("args", sys.argv[1:] if not args else args[0])
        name = words[0] if words else None
        if name is not None and name.partition("=")[0] in COMPLETION_OPTIONS:
            from . import shells

            sys.exit(shells.main(list(words)))
        if os.environ.get("_DEMANDS_COMPLETE"):
            register_completion()
            return super().__call__(*args, **kwargs)
        group = self.group_of(name)
        if group is not None:
            self.load(group)
        chosen = [c for c in self._commands if name is not None and command_name(c) == name]
        if not chosen:
            return super().__call__(*args, **kwargs)
        lean = typer.Typer(
            cls=Group, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False, help=self.info.help
        )
        lean.registered_callback = self.registered_callback
        lean.registered_commands = chosen
        return lean(*args, **kwargs)


def command_name(command: Any) -> str:
    """The name a registered command is called by (``merge-driver`` for ``merge_driver``)."""
    return str(command.name or command.callback.__name__.lower().replace("_", "-"))


# --- shell completion ----------------------------------------------------------------------------


class BashComplete(TyperBash):
    """Completes from the line as typed (``COMP_LINE``, ``COMP_POINT``); falls back to Typer's
    ``COMP_WORDS`` protocol for scripts installed before."""

    typed = ""

    def get_completion_args(self) -> tuple[list[str], str]:
        """The words before the cursor and the word being typed, from ``COMP_LINE``."""
        from .shells import split_line

        line = os.environ.get("COMP_LINE")
        if line is None:
            return super().get_completion_args()
        try:
            point = int(os.environ.get("COMP_POINT", ""))
        except ValueError:
            point = len(line)
        words, self.typed = split_line(line[:point])
        return words[1:-1], words[-1]

    def complete(self) -> str:
        """The candidates, one a line, each quoted for bash."""
        from .shells import WORDBREAKS, bash_reply

        args, incomplete = self.get_completion_args()
        items = self.get_completions(args, incomplete)
        if os.environ.get("COMP_LINE") is None:
            return "\n".join(item.value for item in items)
        breaks = os.environ.get("COMP_WORDBREAKS") or WORDBREAKS
        return "\n".join(bash_reply(str(item.value), self.typed, breaks) for item in items)


def _typable(value: object) -> bool:
    """Whether a candidate can go through a shell's line-based protocol and come back as
    itself: no control character (a newline splits it into two candidates, and zsh strips ESC)."""
    return not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in str(value))


class LineProtocol:
    """For shells that read candidates one a line (zsh, fish, PowerShell): a value that holds a
    control character (a tag with a newline or ESC) cannot come back as itself, so it is not
    offered, rather than completing to something that matches nothing (bash quotes it: $'x\\ny')."""

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        """The candidates, those that the shell could not type back as they are left out."""
        items: list[CompletionItem] = super().get_completions(args, incomplete)  # type: ignore[misc]
        return [item for item in items if _typable(item.value)]


class FishLines(LineProtocol, FishComplete):
    """fish: Typer's own protocol, without candidates fish would split or change."""


class PowerShellLines(LineProtocol, PowerShellComplete):
    """PowerShell: Typer's own protocol, without candidates it would split or change."""


class ZshComplete(LineProtocol, TyperZsh):
    """Answers ``value<TAB>help`` lines, read as data by ``shells.ZSH_SCRIPT``."""

    def format_completion(self, item: CompletionItem) -> str:
        """``value<TAB>help`` on one line."""
        value = " ".join(str(item.value).split("\t"))
        value = " ".join(value.splitlines())
        help_text = " ".join(_sanitize_help_text(item.help).split()) if item.help else ""
        return f"{value}\t{help_text}" if help_text else value

    def complete(self) -> str:
        """The candidates, one a line."""
        args, incomplete = self.get_completion_args()
        return "\n".join(self.format_completion(item) for item in self.get_completions(args, incomplete))


def register_completion() -> None:
    """Make Typer's completion protocol use these classes (fish and PowerShell: Typer's own)."""
    from .shells import ZSH_SCRIPT

    ZshComplete.source_template = ZSH_SCRIPT
    add_completion_class(BashComplete, "bash")
    add_completion_class(ZshComplete, "zsh")
    add_completion_class(FishLines, "fish")
    add_completion_class(PowerShellLines, "powershell")
    add_completion_class(PowerShellLines, "pwsh")


def typer_script(shell: str, prog_name: str, complete_var: str) -> str:
    """Typer's own completion script for ``shell`` (PowerShell)."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=prog_name, complete_var=complete_var, shell=shell)


def detect_shell() -> str | None:
    """The shell this runs in, lower-cased (None when it cannot be told)."""
    from typer._completion_shared import _get_shell_name

    return _get_shell_name()


def typer_install(shell: str, prog_name: str, complete_var: str) -> Path:
    """Install completion for ``shell`` as Typer does (its files and start-up lines); the script's path."""
    from typer._completion_shared import install

    _shell, path = install(shell=shell, prog_name=prog_name, complete_var=complete_var)
    return path
