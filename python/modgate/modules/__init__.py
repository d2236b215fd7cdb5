"""Optional modules: ``modgate.modules.<name>``, one folder each under ``modules/``.

Only modules enabled at build time are installed here.
"""
