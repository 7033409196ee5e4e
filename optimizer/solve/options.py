"""The solver settings of a run, built and checked once (command line over ``policy.toml``'s
``[solver]`` section) and passed down to every search."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

BACKENDS = ("auto", "cp-sat-full", "highs", "flow", "greedy")
PROOF_BACKENDS = ("cp-sat", "highs")
MAX_SEED = 2**31 - 1  # CP-SAT's and HiGHS's seeds are 32-bit signed
MAX_WORKERS = 64
MAX_TIME_LIMIT = 7 * 24 * 3600.0  # a week: any longer is a typing mistake


class OptionError(ValueError):
    """A solver setting out of its range; the message names the setting."""


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 60.0  # seconds a county's search may take
    seed: int = 0
    workers: int = 1  # CP-SAT threads per county
    backend: str = "auto"  # the officer engine, or one solver on the whole model (benchmarks)
    candidate_neighbours: int = 12  # nearest officers per village in a what-if neighbourhood
    # best-bounded officers per village in a large county's search (4 against 6: the officers of
    # 12 counties 6 % faster, alternating runs; 2 and 8 slower)
    candidate_by_bound: int = 4
    proof_backend: str = "highs"  # the solver that proves the candidate pruning lossless
    prune_above_pairs: int = 20000  # counties with more eligible pairs start from candidates

    def __post_init__(self) -> None:
        check(self)

    @classmethod
    def from_settings(cls, solver: Mapping[str, Any] | None = None, **given: Any) -> SolveOptions:
        """Options from the policy's ``[solver]`` section, overridden by what is ``given`` and
        not None (the command line's ``--time-limit``, ``--seed``, ``--workers``)."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in (solver or {}).items() if k in names}
        values.update({k: v for k, v in given.items() if v is not None and k in names})
        return cls(**values)

    def with_(self, **changes: Any) -> SolveOptions:
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _int(name: str, value: Any, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OptionError(f"{name} must be a whole number, not {value!r}")
    if not lo <= value <= hi:
        raise OptionError(f"{name} must be between {lo} and {hi}, not {value}")


def check(o: SolveOptions) -> None:
    if isinstance(o.time_limit, bool) or not isinstance(o.time_limit, int | float):
        raise OptionError(f"time_limit must be a number of seconds, not {o.time_limit!r}")
    if not math.isfinite(o.time_limit) or not 0 < o.time_limit <= MAX_TIME_LIMIT:
        raise OptionError(
            f"time_limit must be more than 0 and at most {MAX_TIME_LIMIT:g} seconds, "
            f"not {o.time_limit}"
        )
    _int("seed", o.seed, 0, MAX_SEED)
    _int("workers", o.workers, 1, MAX_WORKERS)
    _int("candidate_neighbours", o.candidate_neighbours, 1, 10_000)
    _int("candidate_by_bound", o.candidate_by_bound, 1, 10_000)
    _int("prune_above_pairs", o.prune_above_pairs, 0, 10**9)
    if o.backend not in BACKENDS:
        raise OptionError(f"backend must be one of {', '.join(BACKENDS)}, not {o.backend!r}")
    if o.proof_backend not in PROOF_BACKENDS:
        raise OptionError(
            f"proof_backend must be one of {', '.join(PROOF_BACKENDS)}, not {o.proof_backend!r}"
        )
