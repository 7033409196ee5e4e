"""``python -m cunjing.optimizer.cli``: the ``cunjing`` command."""

from .main import entry

entry()
