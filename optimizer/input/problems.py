"""Problems found in an input bundle, reported as ``file:row:column: message``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in the input, located as precisely as we can.

    ``row`` is the line a planner sees in Excel or a text editor: the header is row 1, so the
    first data row is row 2. ``row`` 0 means the whole file, ``column`` "" the whole row.
    """

    file: str
    row: int
    column: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}" if self.row else f"::{self.column}"
        prefix = "warning: " if self.severity == "warning" else ""
        return _shown(f"{where}: {prefix}{self.message}")


def _shown(text: str) -> str:
    """One problem, one line: line breaks, control and invisible characters quoted from a cell
    are spelled out (``\\n``, ``\\u200b``), not printed."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


@dataclass
class ProblemLog:
    """Collects every problem of a bundle so that all are reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, file: str, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(file, row, column, message))

    def warn(self, file: str, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(file, row, column, message, "warning"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BundleError(self.problems)


class BundleError(Exception):
    """The bundle cannot be used; carries every problem found (errors and warnings)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the input")

    @classmethod
    def single(cls, file: str, message: str, row: int = 0, column: str = "") -> BundleError:
        return cls([Problem(file, row, column, message)])
