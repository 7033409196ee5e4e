"""The annual placement as period 1 of the rotation: AUX-EXCHANGE's limits and a look-ahead.

``cunjing rotate`` starts from the annual placement (period 1 is pinned to it), so the placement
keeps the rules of a rotation's first period and leaves the periods after it room to keep them:

- period 1's exchanges (AUX-EXCHANGE): a village with an incumbent still in service who does
  not go on counts one; at most the county's cap and each township's limit;
- the look-ahead (AUX-TENURE against AUX-EXCHANGE, by counting): an auxiliary kept in period 1
  may stay only the periods his posting has left, so the village changes again sooner than
  under a newcomer. Over periods 2..q (q up to ``rotation.periods``) the fewest exchanges the
  villages need (:func:`~cunjing.constraints.aux_tenure.fewest_changes`, less those who leave
  the service then) must fit the caps of those periods: the counting proof of
  ``rotation/schedule.contradictions``, made a row of the placement, so a rotation from the
  annual plan never fails it where the plan could have avoided it.

Each is a row ``Σ c_p x_p ≤ b`` over the pairs. Only rows some placement could break are kept;
they are few (the sample county's period-1 township limits and none of the look-ahead rows bind
at the default shares), and the placement stays a min-cost flow whenever its plan keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...constraints import aux_exchange, aux_tenure
from ..input.instance import Instance


@dataclass
class SideRows:
    """Rows ``Σ coef · x[pair] ≤ ub`` over a placement's pairs, with what each one limits."""

    row: np.ndarray  # row index per entry
    pair: np.ndarray  # pair index (into the placement's eligible pairs) per entry
    coef: np.ndarray
    ub: np.ndarray  # per row
    labels: list[dict]  # per row: kind ("period 1" / "look-ahead"), scope id, last period

    @property
    def n_rows(self) -> int:
        return len(self.ub)

    def lhs(self, x: np.ndarray) -> np.ndarray:
        """Each row's left-hand side for a 0/1 vector over the pairs."""
        return np.bincount(
            self.row, weights=self.coef * np.asarray(x)[self.pair], minlength=len(self.ub)
        )

    def broken(self, x: np.ndarray) -> np.ndarray:
        """Rows the pairs chosen in ``x`` break."""
        return np.flatnonzero(self.lhs(x) > self.ub + 1e-9)


def horizon(inst: Instance) -> int:
    """Periods a rotation plans (``rotation.periods``): the look-ahead of the annual plan."""
    return int(inst.policy.get("rotation", "periods"))


def side_rows(inst: Instance, villages: pd.Index, pairs: pd.DataFrame) -> SideRows | None:
    """The rows of period 1's exchange limits and of the look-ahead, for the eligible ``pairs``
    (auxiliary_id, village_id) of a placement over ``villages``; None when none can bind."""
    if not inst.policy.rule("AUX-EXCHANGE").enabled or pairs.empty:
        return None
    rec = inst.service
    vil = inst.villages.loc[villages, ["county_id", "township_id"]]
    inc = rec.incumbent.reindex(villages).fillna("").astype(str)
    inc_on = pd.Series(rec.in_service(inc.to_numpy(object), 1), index=villages)
    p_vil = pairs["village_id"].to_numpy(object)
    p_aux = pairs["auxiliary_id"].to_numpy(object)
    kept = (inc.reindex(p_vil).to_numpy(object) == p_aux) & inc_on.reindex(p_vil).to_numpy(bool)
    p_county = vil["county_id"].reindex(p_vil).to_numpy(object)
    p_town = vil["township_id"].reindex(p_vil).to_numpy(object)
    last = max(1, horizon(inst))
    caps = aux_exchange.county_caps(inst, last).set_index(["county_id", "period"])["cap"]
    limits = aux_exchange.township_limits(inst)
    rows: list[tuple[np.ndarray, np.ndarray, int, dict]] = []

    # period 1: Σ (1 − kept) over villages with an incumbent in service ≤ limit
    for kind, key, limit_of in (
        ("county", vil["county_id"], lambda g: int(caps.get((g, 1), 0))),
        ("township", vil["township_id"], lambda g: int(limits.get(g, 0))),
    ):
        n_inc = inc_on.groupby(key.to_numpy(object)).sum()
        p_group = p_county if kind == "county" else p_town
        for g, n in n_inc.items():
            if n > limit_of(g):
                sel = np.flatnonzero(kept & (p_group == g))
                rows.append((sel, -np.ones(len(sel)), limit_of(g) - int(n), _label(1, kind, g, 1)))

    # the look-ahead: periods 2..q against the caps of those periods
    if inst.policy.rule("AUX-TENURE").enabled and last >= 2:
        t, _r, _m = aux_tenure.limits(inst)
        left = aux_tenure.periods_left(inst, rec.pair_open_months(p_aux, p_vil))
        aux = inst.auxiliaries
        # each group's pairs once, as integer codes (comparing ids per township and period
        # was most of this function's time)
        c_codes, c_ids = pd.factorize(p_county)
        t_codes, t_ids = pd.factorize(p_town)
        v_codes, v_ids = pd.factorize(p_vil)
        codes = (v_codes, len(v_ids))  # each pair's village as an integer, and how many
        in_county = {c: c_codes == i for i, c in enumerate(c_ids)}
        in_town = {tw: t_codes == i for i, tw in enumerate(t_ids)}
        nowhere = np.zeros(len(p_vil), dtype=bool)
        for q in range(2, last + 1):
            need = aux_tenure.fewest_changes(left, q, t)
            for c in sorted(set(vil["county_id"])):
                ids = aux.index[aux["county_id"] == c]
                leavers = sum(
                    int((rec.in_service(ids, p - 1) & ~rec.in_service(ids, p)).sum())
                    for p in range(2, q + 1)
                )
                allowed = int(sum(caps.get((c, p), 0) for p in range(2, q + 1))) + leavers
                rows += _look_ahead(
                    need, in_county.get(c, nowhere), codes, allowed, _label(2, "county", c, q)
                )
                for tw in sorted(set(vil.loc[vil["county_id"] == c, "township_id"])):
                    lim = int(limits.get(tw, 0)) * (q - 1) + leavers
                    rows += _look_ahead(
                        need, in_town.get(tw, nowhere), codes, lim, _label(2, "township", tw, q)
                    )
    if not rows:
        return None
    return SideRows(
        row=np.concatenate([np.full(len(r[0]), i) for i, r in enumerate(rows)]).astype(np.int64),
        pair=np.concatenate([r[0] for r in rows]).astype(np.int64),
        coef=np.concatenate([r[1] for r in rows]).astype(np.int64),
        ub=np.array([r[2] for r in rows], dtype=np.int64),
        labels=[r[3] for r in rows],
    )


def _label(first: int, kind: str, scope: str, last: int) -> dict:
    return {"first": first, "last": last, "scope": kind, "id": str(scope)}


def _look_ahead(
    need: np.ndarray,
    in_group: np.ndarray,
    villages: tuple[np.ndarray, int],
    allowed: int,
    label: dict,
) -> list:
    """The row Σ need_p x_p ≤ allowed over a group's pairs, when some placement could break it
    (the most any placement needs: each village's neediest pair; ``villages``: each pair's
    village as an integer code, and the number of codes)."""
    sel = np.flatnonzero(in_group & (need > 0))
    if not len(sel):
        return []
    # a village's neediest pair by integer codes (a pandas groupby per group and period was
    # most of the look-ahead's time: 280 of them on a 3-county city)
    code, n_v = villages
    most = np.zeros(n_v, dtype=need.dtype)
    np.maximum.at(most, code[sel], need[sel])
    if most.sum() <= allowed:
        return []
    return [(sel, need[sel], allowed, label)]
