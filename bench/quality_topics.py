"""Security-topic figures of bench/quality.py: the false-positive rate on earnings/takeover reports,
recall on keyword-judged relevant sets, per-topic calibration, and the vectors-only whole-corpus run.
Imported by bench/quality.py after it has put the measured ``nlp`` package on the path."""

from __future__ import annotations

import json
import re
from collections import Counter

from nlp import Enricher

SECURITY = ("armed_conflict", "terrorism", "cyber", "nuclear_cbrn", "sanctions_economy", "disinformation",
            "defence_industry", "crime_corruption", "human_rights", "migration")
# Keyword-judged relevance for the security topics: a story is relevant to a topic when its title or
# first 1,000 body characters match the topic's pattern at least twice (two distinct hits), so one
# stray word ("defence" of a takeover bid, "embargo" on a price) is not enough.
RELEVANT = {
    "armed_conflict": r"\b(?:war|troops|offensive|shell(?:ed|ing)|air ?strikes?|guerrillas?|rebels?|"
                      r"attack(?:ed|s)? on|military|missiles? (?:attack|hit|struck)|gunboats?|fighting|"
                      r"invasion|ceasefire|cease-fire)\b",
    "terrorism": r"\b(?:terroris[mt]s?|hijack\w*|hostages?|bomb(?:ing|ed|s)?|kidnap\w*|car bomb|"
                 r"assassinat\w*|extremists?)\b",
    "nuclear_cbrn": r"\b(?:nuclear (?:weapons?|arms|tests?|missiles?|warheads?)|warheads?|arms control|"
                    r"disarmament|chemical weapons?|missiles?|uranium enrichment|enriched uranium)\b",
    "sanctions_economy": r"\b(?:sanctions?|embargo(?:es)?|blacklist\w*|trade ban|boycott\w*|"
                         r"export controls?|retaliat\w+|punitive tariffs?)\b",
    "defence_industry": r"\b(?:defen[cs]e (?:contracts?|contractors?|budget|department|spending|industry)|"
                        r"pentagon|air force|navy|army|fighter (?:jets?|planes?|aircraft)|weapons?|"
                        r"arms (?:sales?|deals?|exports?)|missiles?|warships?|tanks)\b",
}
MIN_HITS = 2


def topic_scores(docs: list[dict], results: list) -> dict:
    business = [(d, r) for d, r in zip(docs, results) if d.get("topics") and set(d["topics"]) <= {"earn", "acq"}]
    flagged = Counter()
    n_flagged = 0
    examples = []
    for d, r in business:
        sec = [t for t in r.topics if t in SECURITY]
        flagged.update(sec)
        if sec:
            n_flagged += 1
            if len(examples) < 10:
                examples.append([d.get("title"), sec])
    recall = {}
    for topic, pat in RELEVANT.items():
        rx = re.compile(pat, re.I)
        rel = []
        for d, r in zip(docs, results):
            text = (d.get("title") or "") + "\n" + (d.get("body") or "")[:1000]
            if len({m.group().casefold() for m in rx.finditer(text)}) >= MIN_HITS:
                rel.append(r)
        hit = sum(topic in r.topics for r in rel)
        any_sec = sum(any(t in SECURITY for t in r.topics) for r in rel)
        recall[topic] = {"relevant": len(rel), "with_this_topic": hit, "recall": round(hit / max(1, len(rel)), 4),
                         "with_any_security_topic": any_sec}
    all_flagged = Counter(t for r in results for t in r.topics)
    odd = [(d, r) for d, r in business if int(d.get("id") or 0) % 2 == 1]
    held_out = sum(any(t in SECURITY for t in r.topics) for _, r in odd)
    return {"business_reports": len(business), "with_security_topic": n_flagged,
            "false_positive_rate_odd_ids": round(held_out / max(1, len(odd)), 4),
            "false_positive_rate": round(n_flagged / max(1, len(business)), 4),
            "by_topic": dict(flagged.most_common()), "examples": examples,
            "recall_keyword_judged": recall, "topic_counts_all_stories": dict(all_flagged.most_common())}


def topic_rows(enricher: Enricher, docs: list[dict], results: list):
    """Every story's full topic-score row and prose-word support (what ``TopicScorer.assign`` sees)."""
    import numpy as np
    from nlp import text as textmod
    from nlp.lexicon import get_lexicon, prose_words

    idx = [i for i, r in enumerate(results) if r.vector]
    rows = enricher.topics.scores(np.array([results[i].vector for i in idx], dtype=np.float32))
    support = []
    for i in idx:
        d = docs[i]
        t = ((d.get("title") or "").strip() + "\n" + textmod.capped((d.get("body") or "").strip(), 500)).strip()
        support.append(prose_words(t, get_lexicon("en")))
    return idx, rows, support


def calibrate_topics(enricher: Enricher, docs: list[dict], results: list, budget: float) -> dict:
    """Per security topic, the lowest threshold (0.01 steps) at which at most ``budget`` of the plain
    earnings/takeover stories with an EVEN Reuters id would get the topic (``assign`` decides, with
    support, margin and lead). Stories with odd ids stay held out."""
    tax = enricher.topics.taxonomy
    idx, rows, support = topic_rows(enricher, docs, results)
    calib = [k for k, i in enumerate(idx) if int(docs[i].get("id") or 0) % 2 == 0 and docs[i].get("topics")
             and set(docs[i]["topics"]) <= {"earn", "acq"}]
    out = {}
    for t in SECURITY:
        if t not in tax.labels:
            continue
        out[t] = 0.6
        for step in range(15, 61):  # the assignment itself decides (thresholds, margin, lead, support)
            tax.thresholds[t] = step / 100
            if sum(t in enricher.topics.assign(rows[k], support_words=support[k])[0] for k in calib) <= budget * len(calib):
                out[t] = step / 100
                break
        tax.thresholds[t] = out[t]
    return {"calibration_stories": len(calib), "budget_per_topic": budget, "thresholds": out}


def topics_only(docs: list[dict]) -> dict:
    """Security topics on the whole corpus without full enrichment: the USE vectors (title + lead, as the
    enricher builds them) of just the stories the figures read — earnings/takeover reports and the
    keyword-judged relevant sets — then ``topic_scores`` on those."""
    from types import SimpleNamespace

    from nlp import text as textmod
    from nlp.lexicon import get_lexicon, prose_words

    def needed(d: dict) -> bool:
        if d.get("topics") and set(d["topics"]) <= {"earn", "acq"}:
            return True
        text = (d.get("title") or "") + "\n" + (d.get("body") or "")[:1000]
        return any(len({m.group().casefold() for m in re.finditer(p, text, re.I)}) >= MIN_HITS for p in RELEVANT.values())

    enricher = Enricher()
    picked = [d for d in docs if needed(d)]
    texts = []
    for d in picked:
        title = (d.get("title") or "").strip()
        title = title.title() if title.isupper() else title
        texts.append((title + "\n" + textmod.capped((d.get("body") or "").strip(), enricher.config.vector_chars)).strip())
    rows = [enricher.topics.scores(enricher.encoder.encode(texts[i : i + 256])) for i in range(0, len(texts), 256)]
    lex = get_lexicon("en")
    results = [SimpleNamespace(topics=enricher.topics.assign(row, support_words=prose_words(t, lex))[0])
               for t, row in zip(texts, (r for block in rows for r in block))]
    return topic_scores(picked, results)


def write_thresholds(thresholds: dict[str, float]) -> None:
    from nlp.topics import OSINT_TAXONOMY

    data = json.loads(OSINT_TAXONOMY.read_text(encoding="utf-8"))
    for topic in data["topics"]:
        if topic["id"] in thresholds:
            topic["threshold"] = thresholds[topic["id"]]
    OSINT_TAXONOMY.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def reassign(enricher: Enricher, docs: list[dict], results: list) -> None:
    idx, rows, support = topic_rows(enricher, docs, results)
    for k, i in enumerate(idx):
        results[i].topics, results[i].topic_scores = enricher.topics.assign(rows[k], support_words=support[k])
