"""Shell completion scripts and the protocol between them and ``demands``, where Typer's fall short.

Imported only to complete (``_DEMANDS_COMPLETE`` set), to install or to show a script. Typer's
fish and PowerShell support is used as it is; bash and zsh get their own (the classes that
speak Typer's protocol are in ``_typer``, with everything else that reaches into Typer):

- **bash**: Typer's script passes ``COMP_WORDS``, which bash has already split at ``:`` and ``=``
  (``--tag hs:<TAB>`` arrives as ``hs``, ``:``), and puts candidates on the line unquoted (a tag
  ``rules of origin`` becomes three words). Ours passes the line itself (``COMP_LINE`` up to
  ``COMP_POINT``), which is split here with the shell's quoting rules, and answers each candidate
  quoted for bash (``rules\\ of\\ origin``; inside an opened quote, ``'rules of origin'``), less
  the part before the last ``:`` or ``=`` that bash keeps (``8471`` for ``hs:8471``).
- **zsh**: Typer's script, autoloaded from ``$fpath`` as ``--install-completion`` installs it,
  defines its function on the first TAB and completes nothing until the second (typer issue
  #1864: the function is not named after the file); its answer is ``eval``'d, so a quote in a
  value breaks it. Ours is named ``_demands``, completes on the first TAB whether autoloaded or
  sourced, and reads ``value<TAB>help`` lines as data (``_describe``), never evaluating them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")

BASH_SCRIPT = """\
%(complete_func)s() {
    local line
    COMPREPLY=()
    # One candidate a line, each already quoted for bash (a read loop: bash 3.2 has no mapfile).
    while IFS= read -r line; do
        COMPREPLY+=("$line")
    done < <(env COMP_LINE="$COMP_LINE" COMP_POINT="$COMP_POINT" \\
        COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD="$COMP_CWORD" \\
        COMP_WORDBREAKS="$COMP_WORDBREAKS" %(autocomplete_var)s=complete_bash "$1" 2>/dev/null)
    return 0
}

complete -o default -F %(complete_func)s %(prog_name)s
"""

ZSH_SCRIPT = """\
#compdef %(prog_name)s

_%(prog_name)s() {
  local -a response described plain
  local entry value
  response=("${(@f)$(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" %(autocomplete_var)s=complete_zsh \\
    %(prog_name)s 2>/dev/null)}")
  for entry in "${response[@]}"; do
    [[ -n "$entry" ]] || continue
    value="${entry%%%%$'\\t'*}"
    if [[ "$entry" == *$'\\t'?* ]]; then
      described+=("${value//:/\\\\:}:${entry#*$'\\t'}")
    else
      plain+=("$value")
    fi
  done
  if (( ${#described} + ${#plain} == 0 )); then
    _files
    return
  fi
  (( ${#described} )) && _describe -V unsorted described -U
  (( ${#plain} )) && compadd -U -V unsorted -a plain
  return 0
}

# Autoloaded from $fpath (the file is _%(prog_name)s), this body runs on the first TAB: complete now.
if [[ "${funcstack[1]}" == "_%(prog_name)s" ]]; then
  _%(prog_name)s "$@"
else
  compdef _%(prog_name)s %(prog_name)s
fi
"""

FISH_SCRIPT = """\
function __%(prog_name)s_complete
    set -l response (env %(autocomplete_var)s=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args \\
        _TYPER_COMPLETE_ARGS=(commandline -cp) %(prog_name)s 2>/dev/null)
    if test -n "$response"
        printf '%%s\\n' $response
    else
        __fish_complete_path (commandline -ct)
    end
end

complete --command %(prog_name)s --no-files --arguments '(__%(prog_name)s_complete)'
"""

#: Characters a word may hold unquoted in bash (letters and digits in any script besides).
_BASH_PLAIN = re.compile(r"[\w@%+=:,./-]", re.UNICODE)


def split_line(line: str) -> tuple[list[str], str]:
    """The words of a shell command line as the shell reads them, and the last word as typed.

    Quotes and backslashes work as in sh; an unclosed quote ends with the line (the word being
    typed). The last word is ``""`` when the line ends in whitespace outside quotes.
    """
    words: list[str] = []
    word: list[str] = []
    raw_start = 0
    quote = ""
    started = False
    i = 0
    while i < len(line):
        c = line[i]
        if quote == "'":
            if c == "'":
                quote = ""
            else:
                word.append(c)
        elif quote == '"':
            if c == '"':
                quote = ""
            elif c == "\\" and i + 1 < len(line) and line[i + 1] in '"\\$`':
                i += 1
                word.append(line[i])
            else:
                word.append(c)
        elif c in " \t\n":
            if started:
                words.append("".join(word))
                word, started = [], False
        else:
            if not started:
                started, raw_start = True, i
            if c in "'\"":
                quote = c
            elif c == "\\" and i + 1 < len(line):
                i += 1
                word.append(line[i])
            else:
                word.append(c)
        i += 1
    words.append("".join(word) if started else "")
    return words, (line[raw_start:] if started else "")


def _ansi_c(c: str) -> str:
    if c in "\\'":
        return "\\" + c
    return f"\\x{ord(c):02x}" if ord(c) < 32 or ord(c) == 127 else c


def bash_quote(value: str, opened: str = "") -> str:
    """``value`` as one bash word: backslashes before special characters, or in single quotes
    when the word being typed opened a quote."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):  # a newline or tab: $'...' keeps it one line
        return "$'" + "".join(_ansi_c(c) for c in value) + "'"
    if opened[:1] in ("'", '"'):
        return "'" + value.replace("'", "'\\''") + "'"
    return "".join(c if _BASH_PLAIN.fullmatch(c) else "\\" + c for c in value) or "''"


#: Bash's default COMP_WORDBREAKS: readline completes only what follows the last of these.
WORDBREAKS = " \t\n\"'><=;|&(:"


def readline_word(typed: str, breaks: str = WORDBREAKS) -> str:
    """The end of the word ``typed`` that bash's readline replaces: after the last word-break
    character (``:`` and ``=`` among them) not escaped by a backslash; all of it inside quotes."""
    if typed[:1] in ("'", '"'):
        return typed
    cut = 0
    escaped = False
    for i, c in enumerate(typed):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in breaks:
            cut = i + 1
    return typed[cut:]


def bash_reply(value: str, typed: str, breaks: str = WORDBREAKS) -> str:
    """What bash should put in place of the end of ``typed`` (the word as typed) that readline
    replaces, to make the word ``value``: ``8471`` for ``hs:8471`` after ``hs:``."""
    quoted = bash_quote(value, typed)
    current = readline_word(typed, breaks)
    kept = typed[: len(typed) - len(current)]
    return quoted[len(kept) :] if quoted.startswith(kept) else quoted


def script(shell: str, prog_name: str = "demands") -> str:
    """The completion script for ``shell`` (one of SHELLS)."""
    values = {
        "complete_func": f"_{re.sub(r'[^A-Za-z0-9_]', '', prog_name.replace('-', '_'))}_completion",
        "prog_name": prog_name,
        "autocomplete_var": "_{}_COMPLETE".format(prog_name.replace("-", "_").upper()),
    }
    if shell == "bash":
        return BASH_SCRIPT % values
    if shell == "zsh":
        return ZSH_SCRIPT % values
    if shell == "fish":
        return FISH_SCRIPT % values
    from ._typer import typer_script

    return typer_script(shell, prog_name, values["autocomplete_var"]) + "\n"


def install(shell: str, prog_name: str = "demands") -> Path:
    """Install completion for ``shell`` as Typer does (the same files and start-up lines), with
    this module's bash, zsh and fish scripts; returns the script's path."""
    from ._typer import typer_install

    complete_var = "_{}_COMPLETE".format(prog_name.replace("-", "_").upper())
    path = typer_install(shell, prog_name, complete_var)
    if shell in ("bash", "zsh", "fish"):
        path.write_text(script(shell, prog_name), encoding="utf-8")
    return path


def main(words: list[str]) -> int:
    """``demands --install-completion [SHELL]`` or ``--show-completion [SHELL]``: the exit code.

    Prints the script (show) or where it went (install); an unknown or undetectable shell is a
    usage error (exit 2) naming the shells there are.
    """
    option, equals, value = words[0].partition("=")
    shell = value or (words[1] if len(words) > 1 and not equals else "")
    extra = words[1:] if equals else words[2:]
    usage = f"use one of: {', '.join(SHELLS)}, as in 'demands {option} zsh'"
    if equals and not value:
        print(f"demands: {option}= names no shell; {usage}", file=sys.stderr)
        return 2
    if extra:
        print(f"demands: {option} takes one shell, not {' '.join(extra)!r}; {usage}", file=sys.stderr)
        return 2
    if not shell:
        from ._typer import detect_shell

        shell = detect_shell() or ""
        if not shell:
            print(f"demands: cannot tell which shell this is; {usage}", file=sys.stderr)
            return 2
    if shell.lower() not in SHELLS:
        print(f"demands: cannot complete for {shell!r}; {usage}", file=sys.stderr)
        return 2
    shell = shell.lower()
    if option == "--show-completion":
        sys.stdout.write(script(shell))
        return 0
    try:
        path = install(shell)
    except OSError as err:
        print(f"demands: cannot install {shell} completion: {err.strerror or err}", file=sys.stderr)
        return 1
    hint = {"bash": "open a new shell (or: source ~/.bashrc)", "zsh": "open a new shell (or: exec zsh)"}
    print(f"{shell} completion installed in {path}; {hint.get(shell, 'open a new shell')} to use it")
    return 0
