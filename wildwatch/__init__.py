"""wildwatch: watches the open web for wildlife-trafficking signals.

The work is split by data flow: ``schedules`` (when) → ``crawlers`` (fetch) →
``pipelines`` (enrich) → ``search`` (store and find) → ``web`` (UI and API).
This package only holds what they all share: the command line and environment helpers.
"""

__version__ = "0.1.0"
