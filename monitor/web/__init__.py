"""The daemon's read-only web pages: the dashboard, articles, search."""
