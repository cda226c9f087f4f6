"""tradedemands: track what each party in a negotiation demands, concedes and refuses."""

__version__ = "0.1.0"
