"""Language identifiers side by side: fortunes accuracy and ms per Reuters story (issue 20).

    .venv/bin/python bench/language_candidates.py --fortunes-cap 2000 --limit 800 \
        [--extra-path DIR]   # a ``pip install --target DIR`` holding candidates not in the venv

Candidates (each skipped when not importable): ``nlp.language.detect`` with its backend (what the
enricher runs), the same with pure-Python ``langdetect`` forced, and the raw answers of ``py3langid``
(langid.py model), ``lingua`` (high and low accuracy mode), ``pycld2``, all restricted to langdetect's
55 languages where the library allows it, so "supported languages" are the same for all. Accuracy is
counted like bench/enrich.py's ``--only-language`` (fortunes ≥ 10 words and < 10 words); speed is the
CPU time of one call on the title + body of each of the first ``--limit`` Reuters stories.

Prints a table and saves bench/results/language_candidates.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "--extra-path" in sys.argv:
    sys.path.append(sys.argv[sys.argv.index("--extra-path") + 1])
if "--pure-langdetect" in sys.argv:  # nlp.language then falls back to the pure-Python package
    sys.modules["langdetect_rs"] = None  # type: ignore[assignment]

from bench.enrich import fortunes, load_reuters  # noqa: E402
from nlp import language  # noqa: E402
from nlp import text as textmod  # noqa: E402

Detect = Callable[[str], str]


def _langdetect_codes() -> list[str]:
    language._factory()
    return sorted({c.split("-")[0] for c in language._factory().langlist})


def candidates() -> dict[str, Detect]:
    """name → text → ISO 639-1 code or ``und``."""
    out: dict[str, Detect] = {"nlp.language (" + language.BACKEND + ")": lambda t: language.detect(t).code}
    codes = _langdetect_codes()
    try:
        import py3langid.langid as pl

        ident = pl.LanguageIdentifier.from_model_file(pl.MODEL_FILE, norm_probs=True)
        ident.set_languages([c for c in codes if c in ident.labels])
        out["py3langid"] = lambda t: ident.classify(t)[0]
    except ImportError:
        pass
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes
                 if hasattr(IsoCode639_1, c.upper())]
        for mode, builder in (("high", LanguageDetectorBuilder.from_languages(*langs)),
                              ("low", LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode())):
            det = builder.build()

            def lingua_detect(t: str, det=det) -> str:  # noqa: ANN001
                got = det.detect_language_of(t)
                return got.iso_code_639_1.name.lower() if got is not None else "und"

            out[f"lingua {mode} accuracy"] = lingua_detect
    except ImportError:
        pass
    try:
        import pycld2

        def cld2(t: str) -> str:
            try:
                _, _, details = pycld2.detect(t)
            except pycld2.error:
                return "und"
            code = details[0][1]
            return code.split("-")[0] if code != "un" else "und"

        out["pycld2"] = cld2
    except ImportError:
        pass
    return out


def identical_probabilities(texts: list[str]) -> dict | None:
    """langdetect and langdetect_rs, both seeded 0 and with the same trials: equal probabilities per text?"""
    try:
        import langdetect
        import langdetect_rs
    except ImportError:
        return None
    from langdetect import detector_factory as pf
    from langdetect_rs import detector_factory as rf

    langdetect.DetectorFactory.seed = langdetect_rs.DetectorFactory.seed = 0
    pf.init_factory()
    rf.init_factory()
    same = differ = 0
    for t in texts:
        got = []
        for f in (pf._factory, rf._factory):
            det = f.create()
            det.append(t)
            try:
                det.get_probabilities()
                got.append(dict(zip(det.langlist, det.langprob)))
            except Exception as exc:  # noqa: BLE001 - both must raise alike on a text without features
                got.append(type(exc).__name__)
        same += got[0] == got[1]
        differ += got[0] != got[1]
    return {"texts": same + differ, "identical": same}


def accuracy(detect: Detect, texts_by_lang: dict[str, list[str]]) -> dict:
    res = {}
    for lang, texts in texts_by_lang.items():
        long_ok = long_n = short_ok = short_n = 0
        for t in texts:
            got = detect(t)
            if textmod.word_count(t) >= 10:
                long_n += 1
                long_ok += got == lang
            else:
                short_n += 1
                short_ok += got == lang
        res[lang] = {"ge10": round(long_ok / max(1, long_n), 4), "lt10": round(short_ok / max(1, short_n), 4),
                     "n_ge10": long_n, "n_lt10": short_n}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fortunes-cap", type=int, default=2000)
    ap.add_argument("--limit", type=int, default=800, help="Reuters stories timed")
    ap.add_argument("--extra-path", default=None)
    ap.add_argument("--pure-langdetect", action="store_true", help="nlp.language on pure-Python langdetect")
    ap.add_argument("--identical", type=int, default=0,
                    help="also compare langdetect and langdetect_rs probabilities on N texts of each set")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "language_candidates.json")
    args = ap.parse_args()
    by_lang = {}
    for lang, texts in fortunes().items():
        if args.fortunes_cap and len(texts) > args.fortunes_cap:
            step = len(texts) / args.fortunes_cap
            texts = [texts[int(i * step)] for i in range(args.fortunes_cap)]
        by_lang[lang] = texts
    stories = [(d.get("title") or "") + "\n" + (d.get("body") or "") for d in load_reuters(args.limit)]
    report: dict = {"command": " ".join([".venv/bin/python bench/language_candidates.py"] + sys.argv[1:]),
                    "loadavg_start": os.getloadavg(), "fortunes_cap": args.fortunes_cap, "stories": len(stories),
                    "candidates": {}}
    for name, detect in candidates().items():
        for t in stories[:20] + [v[0] for v in by_lang.values()]:  # lazy loads (profiles, stop-word lists)
            detect(t)
        c0 = time.process_time()
        for s in stories:
            detect(s)
        ms = 1000 * (time.process_time() - c0) / max(1, len(stories))
        acc = accuracy(detect, by_lang)
        report["candidates"][name] = {"cpu_ms_per_story": round(ms, 3), "accuracy": acc}
        row = " ".join(f"{lang} {v['ge10']:.4f}/{v['lt10']:.4f}" for lang, v in acc.items())
        print(f"{name:28s} {ms:7.2f} ms/story  ≥10/<10 words: {row}", flush=True)
    if args.identical:
        texts = stories[: args.identical] + [t for v in by_lang.values() for t in v[: args.identical]]
        report["langdetect_vs_langdetect_rs"] = identical_probabilities(texts)
        print("langdetect vs langdetect_rs probabilities:", report["langdetect_vs_langdetect_rs"], flush=True)
    report["loadavg_end"] = os.getloadavg()
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
