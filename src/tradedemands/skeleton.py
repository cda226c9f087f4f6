"""``demands init``: a new, valid, commented file to start from."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DemandsError
from .fileschema import SCHEMA_ID
from .yamlio import scalar

SKELETON = """\
# yaml-language-server: $schema={schema}
#
# A tradedemands file: what each party in a negotiation demands, concedes and refuses.
# Keep it in git. Change statuses with `demands mark`, add items with `demands add`;
# hand edits are welcome (the tool keeps your comments and layout).
version: 1
title: {title}

# Each party: an id (used in item ids, upper-cased: US-1), a name, aliases, the lead negotiator.
parties:
  us: {{name: United States, aliases: [usa]}}
  cn: {{name: China, aliases: [prc]}}

# Rounds of talks, oldest first. A round is held unless it says otherwise: one still to
# come is `status: planned`, its date a day or only a month (2018-06), with who is expected
# (`parties`), how sure it is (`likelihood: possible`, `likely` or `confirmed`) and a `note`;
# one called off is `status: cancelled`.
rounds: []

# Statuses (default): open, discussing, contested, agreed, partial, met, rejected, withdrawn
# (the last three are closed; contested: the other side objects, still on the table).
# Declare your own list under `statuses:` to change them.

# Items: kind is demand, concession, red-line or agreement (a position parties share: its
# party lists them all, like party: [us, cn]); history is appended by the tool.
demands: []
"""


def write_skeleton(path: Path, title: str | None = None) -> None:
    """Create ``path`` with the skeleton, whole or not at all; never overwrites an existing file.

    Raises DemandsError when it exists, its folder does not, or it cannot be written. In a dry
    run (``transaction.dry_run``) the file is checked for and previewed, not written.
    """
    from .atomic import create_new
    from .signals import writing
    from .transaction import previewing

    text = SKELETON.format(schema=SCHEMA_ID, title=scalar(title or "Negotiation"))
    if path.parent and not path.parent.exists():
        raise DemandsError(f"folder {path.parent} does not exist; create it first")
    if os.path.islink(path) and not os.path.exists(path):
        raise DemandsError(
            f"{path} is a symbolic link that leads to no file; init never writes through a link: remove it first"
        )
    if os.path.lexists(path):
        raise DemandsError(f"{path} exists already; init never overwrites a file")
    if previewing(path, "", text):
        return
    try:
        with writing(str(path)):
            create_new(path, text.encode("utf-8"), label=str(path))
    except FileExistsError:
        raise DemandsError(f"{path} exists already; init never overwrites a file") from None
