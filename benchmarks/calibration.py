"""What a partner's score says as a chance, held out: the raw logistic of each purpose model
against its calibration (:mod:`matcher.scoring.partners.calibration`), in the same run.

Per purpose with real partnerships (``data/eval/``: keep.eu cross-border and transnational,
CORDIS research; ``any`` pools the three), every query of the truth set is scored by grouped
5-fold cross-validation (as ``matcher evaluate --purpose`` does: no group in both training
and test), plain and focused on the partnership's own themes. The calibration checked on a
query is fitted on the held-out scores of the *other* folds' groups only. Printed per
purpose and kind:

* top ten: the mean chance a list's first ten claim, and the share of them that were real
  partners (95% group-bootstrap interval);
* every candidate: the partners a query's candidates claim together, and the real ones;
* the expected calibration error of the top ten (ten bins by claimed chance).

``--write`` then fits each calibration on every held-out query and stores it with the
shipped model in ``matcher/scoring/partners/purpose_models.json`` (the models themselves are
not refitted). A kind with no queries (research: no CORDIS row has themes, so no focused
query) gets no calibration, and its lists give no chance.

    python benchmarks/calibration.py [--only PURPOSE] [--write]
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import argument_parser, print_machine  # noqa: E402
from purposes import TRUTH, groups_of, rows_for, setup  # noqa: E402

from matcher.scoring.partners import purpose_fit  # noqa: E402
from matcher.scoring.partners.calibration import cross_fitted, fit_calibration  # noqa: E402
from matcher.scoring.partners.evaluate import bootstrap_ci  # noqa: E402
from matcher.scoring.partners.purposes import MODELS_FILE  # noqa: E402

TOP = 10
FOLDS = 5


def held_out(rows, purpose: str) -> list[np.ndarray]:
    """Each query's held-out logits (grouped cross-validation, no hub price, no geography
    mode: the evidence a calibration reads)."""
    return [np.asarray(s, np.float64) for s in purpose_fit.cross_validated(rows, purpose)]


def summary(label: str, rows, logits, chances) -> None:
    """Claimed against real, over the top ten (by the model's score) and every candidate."""
    claimed, real, per_query, groups = [], [], [], []
    claimed_all = real_all = 0.0
    for r, z, chance in zip(rows, logits, chances, strict=True):
        chance = np.asarray(chance, np.float64).copy()
        chance[r.row] = -1.0
        relevant = np.zeros(len(chance), bool)
        relevant[r.relevant_rows] = True
        order = np.where(np.arange(len(z)) == r.row, -np.inf, z)
        top = np.argsort(-order, kind="stable")[:TOP]
        claimed += list(chance[top])
        real += list(relevant[top])
        per_query.append(relevant[top].mean())
        groups.append(r.group)
        claimed_all += float(chance[chance >= 0].sum())
        real_all += float(relevant.sum())
    claimed, real = np.array(claimed), np.array(real, float)
    low, high = bootstrap_ci(np.array(per_query), np.array(groups), n_boot=1000, seed=0)
    edges = np.quantile(claimed, np.linspace(0, 1, 11))
    bins = np.clip(np.searchsorted(edges, claimed, side="right") - 1, 0, 9)
    ece = sum(abs(claimed[bins == b].mean() - real[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())  # fmt: skip
    n = len(rows)
    print(f"  {label:<11} top {TOP}: claimed {claimed.mean():.3f}, real {real.mean():.3f} "
          f"[{low:.3f}, {high:.3f}]; per query, candidates claim {claimed_all / n:.2f} partners, "
          f"real {real_all / n:.2f}; ECE {ece:.3f}", flush=True)  # fmt: skip


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(TRUTH), help="purpose")
    parser.add_argument("--write", action="store_true", help="store the calibrations")
    args = parser.parse_args()
    print_machine()
    cities, collaborations, _themes, vectoriser = setup()
    fitted: dict[str, dict] = {}
    for purpose, files in TRUTH.items():
        if args.only and purpose not in args.only:
            continue
        groups = groups_of(files, cities)
        kinds = {"plain": [replace(g, themes=()) for g in groups],
                 "focused": [g for g in groups if g.themes]}  # fmt: skip
        print(f"\n{purpose} ({', '.join(files)})")
        for kind, chosen in kinds.items():
            rows, _ranker = rows_for(vectoriser, collaborations, chosen)
            rows = [r for r in rows if kind == "plain" or r.focus_vector is not None]
            if not rows:
                print(f"  {kind:<11} no queries: no calibration", flush=True)
                continue
            logits = held_out(rows, purpose)
            partners = [r.relevant_rows for r in rows]
            own = [r.row for r in rows]
            query_groups = [r.group for r in rows]
            print(f"  {kind}: {len(rows)} queries over {len(set(query_groups))} groups")
            summary("raw", rows, logits, [1.0 / (1.0 + np.exp(-z)) for z in logits])
            checked = cross_fitted(logits, partners, own, query_groups, folds=FOLDS)
            summary("calibrated", rows, logits, checked)
            info = {"truth": files, "queries": len(rows), "groups": len(set(query_groups)),
                    "fitted_on": f"held-out logits, grouped {FOLDS}-fold cross-validation",
                    "by": "benchmarks/calibration.py"}  # fmt: skip
            fitted.setdefault(purpose, {})[kind] = fit_calibration(logits, partners, own, info)
            steps = len(fitted[purpose][kind].chances)
            print(f"  {'':<11} fitted on every query: {steps} steps, the top one "
                  f"{fitted[purpose][kind].chances[-1]:.3f}", flush=True)  # fmt: skip
    if args.write:
        data = json.loads(MODELS_FILE.read_text(encoding="utf-8"))
        for model in data["models"]:
            if model["purpose"] in fitted:
                model["calibration"] = {k: c.to_dict()
                                        for k, c in fitted[model["purpose"]].items()}  # fmt: skip
        MODELS_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote the calibrations of {', '.join(fitted)} to {MODELS_FILE}")


if __name__ == "__main__":
    main()
