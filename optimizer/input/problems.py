"""Problems found in an input bundle, reported as ``file:row:column: message``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from ..i18n import _

# More problems than this in one file are one systematic mistake (a wrong export, a shifted
# column): the first ones are shown and the rest counted in one line, which also bounds what a
# hostile file can make the program hold and print.
MAX_PROBLEMS_PER_FILE = 100


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in the input, located as precisely as we can.

    ``row`` is the line a planner sees in Excel or a text editor: the header is row 1, so the
    first data row is row 2. ``row`` 0 means the whole file, ``column`` "" the whole row.
    ``who`` names the person or village of the row (``三村（V3）``); ``root`` marks a cause that
    explains other problems (ids Excel rounded), printed before everything else.
    """

    file: str
    row: int
    column: str
    message: str
    severity: str = "error"  # "error" or "warning"
    who: str = ""
    root: bool = False

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}" if self.row else f"::{self.column}"
        message = self.message
        if self.who:
            message = _("{who}: {message}").format(who=self.who, message=message)
        if self.severity == "warning":
            message = _("warning: {message}").format(message=message)
        return shown(f"{where}: {message}")


def shown(text: str) -> str:
    """One line as printed: line breaks, control and invisible characters (an ESC that would
    command the terminal, a zero-width space) are spelled out (``\\n``, ``\\x1b``, ``\\u200b``),
    never sent as they are."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def ordered(problems: list[Problem]) -> list[Problem]:
    """The order problems are printed in: causes first, then errors, then warnings, each by
    file and row."""
    return sorted(problems, key=lambda p: (not p.root, p.severity != "error", p.file, p.row))


@dataclass
class ProblemLog:
    """Collects every problem of a bundle so that all are reported at once (at most
    ``MAX_PROBLEMS_PER_FILE`` a file, and a count of the rest)."""

    problems: list[Problem] = field(default_factory=list)
    # (file, column) of id columns whose ids Excel rounded: unknown references into them are
    # the consequence, not a mistake of their own
    rounded: set[tuple[str, str]] = field(default_factory=set)
    _per_file: Counter = field(default_factory=Counter, repr=False)
    _more: Counter = field(default_factory=Counter, repr=False)

    def add(self, problem: Problem) -> None:
        if problem.row and self._per_file[problem.file] >= MAX_PROBLEMS_PER_FILE:
            self._more[problem.file] += 1
            return
        self._per_file[problem.file] += 1
        self.problems.append(problem)

    def error(self, file: str, row: int, column: str, message: str, root: bool = False) -> None:
        self.add(Problem(file, row, column, message, root=root))

    def warn(self, file: str, row: int, column: str, message: str) -> None:
        self.add(Problem(file, row, column, message, "warning"))

    def extend(self, problems: list[Problem]) -> None:
        for p in problems:
            self.add(p)

    def name_rows(self, file: str, names: dict[int, str]) -> None:
        """Give the problems of ``file`` the person or village of their row."""
        self.problems = [
            replace(p, who=names.get(p.row, "")) if p.file == file and p.row and not p.who else p
            for p in self.problems
        ]

    def all(self) -> list[Problem]:
        """Every problem kept, and one line a file for those beyond the limit."""
        more = [
            Problem(
                f,
                0,
                "",
                _(
                    "{n} more problem(s) in this file are not shown (only the first {shown}): "
                    "fix those above, the rest are often the same mistake"
                ).format(n=n, shown=MAX_PROBLEMS_PER_FILE),
                "error"
                if any(p.file == f and p.severity == "error" for p in self.problems)
                else "warning",
            )
            for f, n in sorted(self._more.items())
        ]
        return self.problems + more

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.all() if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.all() if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BundleError(self.all())


class BundleError(Exception):
    """The bundle cannot be used; carries every problem found (errors and warnings)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the input")

    @classmethod
    def single(cls, file: str, message: str, row: int = 0, column: str = "") -> BundleError:
        return cls([Problem(file, row, column, message)])
