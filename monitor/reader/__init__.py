"""Reading feeds: ``fetch`` (HTTP, politely), ``parse`` (feedparser on bytes) and
``normalize`` (one ``Article`` per entry).
"""
