"""What people run over stored or labelled articles: ``evaluate``, ``backtest``,
``export``.
"""
