"""argparse's own words (``usage:``, ``options``, ``the following arguments are required``) in
the planner's language: argparse looks its messages up through ``argparse._`` and
``argparse.ngettext``, which :func:`speak_our_language` points at our catalogue.

The messages below are argparse's own (Python 3.11), listed so that ``make messages`` puts them in
the catalogue; a message argparse changes in a later Python is simply shown in English.
"""

from __future__ import annotations

import argparse

from ..i18n import N_, _, ngettext

ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("%(prog)s: error: %(message)s\n"),
)


def _plural_marker() -> str:  # never called: puts argparse's plural message in the catalogue
    return ngettext("expected %s argument", "expected %s arguments", 2)


def speak_our_language() -> None:
    """argparse's messages through our catalogue (this process only runs our command)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
