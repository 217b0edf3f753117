"""The steps of an enforcement case, in lifecycle order (DESIGN.md "enforcement").

Kept free of imports so the command line (``cases.commands``) can offer them as choices
without loading the analysis vocabularies at every ``wildwatch`` start.
"""

from __future__ import annotations

STEPS = ("seizure", "arrest", "prosecution", "trial", "sentence")
