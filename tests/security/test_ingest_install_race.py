"""Finding 9: two indexers starting at the same moment on a new alias both succeed, with one index."""

from __future__ import annotations

import threading

from elasticsearch import Elasticsearch

from mappings import CURRENT_VERSION, current_index, drop, index_name, install
from tests.conftest import unique_alias


def test_concurrent_installs_on_a_fresh_alias(es: Elasticsearch) -> None:
    for _ in range(4):  # the race is timing-dependent: several fresh aliases make a miss unlikely
        alias = unique_alias("race")
        start = threading.Barrier(3)
        results: list[object] = []

        def one() -> None:
            start.wait()
            try:
                results.append(install(es, alias))
            except Exception as exc:  # noqa: BLE001 - recorded and asserted below
                results.append(exc)

        threads = [threading.Thread(target=one) for _ in range(3)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert not [r for r in results if isinstance(r, Exception)], results
            assert {r.index for r in results} == {index_name(alias, CURRENT_VERSION)}  # type: ignore[attr-defined]
            assert current_index(es, alias) == index_name(alias, CURRENT_VERSION)
            assert list(es.indices.get(index=f"{alias}-*")) == [index_name(alias, CURRENT_VERSION)]
        finally:
            drop(es, alias)
