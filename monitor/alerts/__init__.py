"""Alerts: ``policy`` (pure: every alert-or-not rule, with its reason), ``state``
(applies decisions to the store) and ``outbox`` (sends due notifications).
"""
