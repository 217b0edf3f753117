"""The web UI and JSON API (FastAPI) over ``search``; served by ``wildwatch serve`` and
``wildwatch run``."""
