"""``python -m tradedemands`` works like ``demands``."""

from .cli import app

app(prog_name="demands")
