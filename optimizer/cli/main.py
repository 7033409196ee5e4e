"""The ``cunjing`` command line. Bad input exits 2 with ``file:row:column: message`` lines and no
traceback; an unexpected failure prints one line (``CUNJING_DEBUG=1`` shows the traceback).

Each command module (``plan``, ``whatif``, ``rotate``, ``visits``, ``bundle``) lists its
commands: a help line, the arguments, and a function that reads them, calls the library
(``run/``) and prints. Heavy modules load only when a command runs.
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import sys
import warnings
from collections.abc import Sequence

from ..i18n import LANGUAGES, _, set_language
from ..input.problems import BundleError, ordered, shown
from ..output.publish import OutputError
from . import bundle, plan, rotate, visits, whatif
from .argparse_words import speak_our_language
from .args import check_ranges
from .errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, UsageError

COMMANDS = {
    **plan.COMMANDS,
    **whatif.COMMANDS,
    **bundle.COMMANDS,
    **rotate.COMMANDS,
    **visits.COMMANDS,
}
# Commands whose Ctrl-C stops the search and keeps the best plan so far (see cli.plan).
STOPPABLE = ("plan",)


def build_parser() -> argparse.ArgumentParser:
    """The command line, its help in the current language (set it first: ``--lang``)."""
    speak_our_language()
    parser = argparse.ArgumentParser(
        prog="cunjing",
        description=_(
            "Plans liaison officers and resident auxiliaries for villages "
            "(一村一警一辅警). With no bundle, commands use the embedded sample county."
        ),
    )
    parser.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default=None,
        help=_("language of what is printed: zh (default) or en (also CUNJING_LANG)"),
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar=_("COMMAND"), title=_("commands")
    )
    for name, (help_text, configure, run) in COMMANDS.items():
        p = sub.add_parser(name, help=_(help_text), description=_(help_text))
        configure(p)
        p.set_defaults(run=run)
    return parser


def language_asked(argv: Sequence[str]) -> str | None:
    """``--lang X`` / ``--lang=X`` before the command is parsed, so that the help and argparse's
    own errors are in that language too."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None, *, helper: bool = False) -> int:
    """Run one command. ``helper``: ``cunjing plan`` may spawn a helper process on an idle core
    (the ``cunjing`` command does; a script calling ``main`` would have its own top-level code
    run again by the spawned process unless guarded by ``if __name__ == "__main__"``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if language_asked(argv) in LANGUAGES:
        set_language(language_asked(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lang:
        set_language(args.lang)
    args.helper = helper
    stdout = sys.stdout
    sys.stdout = PrintableLines(stdout)
    try:
        return _run(args)
    finally:
        sys.stdout = stdout


def _run(args: argparse.Namespace) -> int:
    try:
        check_ranges(args)
        if args.command in STOPPABLE:
            from ..solve.stop import StopSearch, on_interrupt

            # installed before the heavy imports: a Ctrl-C at any moment is the planner's stop
            args.stop = StopSearch()
            with on_interrupt(args.stop):
                code = args.run(args)
        else:
            code = args.run(args)
        sys.stdout.flush()  # a reader gone (``| head``) is met here, not at exit
        return code
    except BundleError as e:
        for p in ordered(e.problems):
            print(p, file=sys.stderr if args.command != "validate" else sys.stdout)
        n = len([p for p in e.problems if p.severity == "error"])
        print(
            _("cunjing {command}: {n} problem(s) in the input; nothing was written").format(
                command=args.command, n=n
            )
            if args.command != "validate"
            else _("{n} problem(s)").format(n=n),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except (UsageError, OutputError) as e:
        print(
            shown(_("cunjing {command}: {error}").format(command=args.command, error=e)),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader (``| head``) stopped reading: one line, no traceback
        _quiet_stdout()
        print(
            _(
                "cunjing {command}: the output was closed before everything was printed "
                "(e.g. by | head)"
            ).format(command=args.command),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(_("cunjing {command}: interrupted").format(command=args.command), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # one line for the planner; the traceback on request
        if os.environ.get("CUNJING_DEBUG"):
            raise
        error = shown(f"{type(e).__name__}: {e}")
        print(
            _(
                "cunjing {command}: internal error: {error} (set CUNJING_DEBUG=1 to see the "
                "traceback)"
            ).format(command=args.command, error=error),
            file=sys.stderr,
        )
        return EXIT_INTERNAL


class PrintableLines(io.TextIOBase):
    """What a command prints, with every character that is neither printable nor a line break
    or tab spelled out (``\\x1b``): a name from a file cannot command the terminal (move the
    cursor, rewrite a line, change the window title) whatever line it is printed in."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        if not text.isprintable():
            text = "\n".join(
                "\t".join(shown(piece) for piece in line.split("\t")) for line in text.split("\n")
            )
        self.stream.write(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self):
        return self.stream.encoding

    def fileno(self) -> int:
        return self.stream.fileno()


def _quiet_stdout() -> None:
    """stdout to /dev/null: what is still buffered for a closed pipe must not fail again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind stdout (a test's capture)
        pass


def entry() -> None:
    """The ``cunjing`` command: ``main()``, then out without the interpreter's teardown.

    Unloading GDAL, OR-Tools, pandas and SciPy at exit took 0.4-0.6 s on every run (a tenth of
    ``cunjing plan`` on the sample county). By now every file is written, synced and closed and
    every helper process is gone; the exit handlers (logging, multiprocessing) still run."""
    if not os.environ.get("CUNJING_DEBUG"):
        # the libraries' warnings (numpy on a bundle without coordinates, shapely, pandas) are
        # not the planner's business: ours are printed as text. Worker and helper processes
        # inherit the setting.
        os.environ["PYTHONWARNINGS"] = "ignore"
        warnings.simplefilter("ignore")
    code = main(helper=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader (``| head``) has gone: nothing more to say
        pass
    atexit._run_exitfuncs()
    os._exit(int(code or 0))
