"""The rule language, pure: ``text`` (the one folding), ``compile`` (watches into
one matcher) and ``score`` (an article against every watch, every point explained).
"""
