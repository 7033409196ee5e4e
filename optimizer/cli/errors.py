"""How a command ends: its exit codes and the error a command raises for a request it cannot
do (printed as one line, exit 2)."""

from __future__ import annotations

EXIT_OK, EXIT_PARTIAL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command was asked for something it cannot do; exit 2 with the message."""
