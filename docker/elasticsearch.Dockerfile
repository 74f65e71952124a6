# Elasticsearch with the hunspell dictionaries the index contract's per-language analyzers need.
# Dictionaries come from Debian's hunspell-* packages (the same ones `make setup` installs locally).
ARG ES_VERSION=9.3.2
FROM debian:bookworm-slim AS dicts
RUN apt-get update \
 && apt-get install -y --no-install-recommends hunspell-en-us hunspell-fr hunspell-es hunspell-de-de \
      hunspell-ru hunspell-it hunspell-pt-pt hunspell-nl hunspell-uk \
 && mkdir /hunspell \
 && for loc in en_US fr_FR es_ES de_DE ru_RU it_IT pt_PT nl_NL uk_UA; do \
      mkdir -p /hunspell/$loc \
      && cp -L /usr/share/hunspell/$loc.aff /usr/share/hunspell/$loc.dic /hunspell/$loc/ \
      && echo "ignore_case: true" > /hunspell/$loc/settings.yml; \
    done

FROM docker.elastic.co/elasticsearch/elasticsearch:${ES_VERSION}
COPY --from=dicts --chown=elasticsearch:root /hunspell /usr/share/elasticsearch/config/hunspell
