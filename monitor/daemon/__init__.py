"""The long-running process around the cycle: scheduling, reload, health, status,
metrics, logs, maintenance and the HTTP server.
"""
