"""Rebuild every seed file under data/ from the raw files in data/raw/.

Run: ``.venv/bin/python scripts/build_data.py`` (or ``make data``). Deterministic: running it
twice gives the same bytes. Order matters: themes first (mappings), then cities, then the
collaborations and profiles that refer to them, then the calls, then the evaluation truth sets
derived from the collaborations; last the land borders table the reasons read
(``matcher/scoring/partners/land_borders.json``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import build_eval_truth  # noqa: E402
from scripts.data_build import borders, calls, cities, collaborations, themes  # noqa: E402


class _EvalTruth:
    """Adapter: the truth files are derived from the seed files just written."""

    @staticmethod
    def build(_raw_dir: Path, out_dir: Path) -> dict:
        return build_eval_truth.build(out_dir)


STEPS = (("themes", themes), ("cities", cities), ("collaborations", collaborations),
         ("calls", calls), ("eval truth", _EvalTruth), ("land borders", borders))  # fmt: skip


def main() -> int:
    raw_dir, out_dir = ROOT / "data" / "raw", ROOT / "data"
    for name, module in STEPS:
        started = time.perf_counter()
        counts = module.build(raw_dir, out_dir)
        summary = ", ".join(f"{k}={v}" for k, v in counts.items())
        print(f"{name:<15} {time.perf_counter() - started:6.1f}s  {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
