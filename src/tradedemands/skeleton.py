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

# Rounds of talks, oldest first.
rounds: []

# Statuses (default): open, discussing, agreed, partial, met, rejected, withdrawn
# (the last three are closed). Declare your own list under `statuses:` to change them.

# Items: kind is demand, concession or red-line; history is appended by the tool.
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
    if os.path.lexists(path):
        raise DemandsError(f"{path} exists already; init never overwrites a file")
    if previewing(path, "", text):
        return
    try:
        with writing(str(path)):
            create_new(path, text.encode("utf-8"), label=str(path))
    except FileExistsError:
        raise DemandsError(f"{path} exists already; init never overwrites a file") from None
