"""``periscope sources list|show|grade|apply`` on a real node, SQLite and PostgreSQL (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk
from typer.testing import CliRunner

from periscope.cli import app
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, workspace_url: str, index_alias: str, es: Elasticsearch) -> None:  # noqa: F811
    monkeypatch.setenv("PERISCOPE_DATABASE_URL", workspace_url)
    monkeypatch.setenv("PERISCOPE_INDEX_ALIAS", index_alias)
    bulk(es, ({"_index": index_alias, "_id": f"{s}-{i}", "_source": {"id": f"{s}-{i}", "source": s, "reliability": "F"}}
              for s in ("Wire Alpha", "Blog Beta") for i in range(30)), refresh=True)


def run(*args: str, code: int = 0):  # noqa: ANN201
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def test_list_registers_indexed_sources_and_grade_restamps(es: Elasticsearch, index_alias: str):
    out = run("sources", "list").output
    assert "Wire Alpha" in out and "Blog Beta" in out
    out = run("sources", "grade", "wire alpha", "b", "--why", "wire agency, good record").output
    assert "F → B" in out and "30 documents restamped" in out
    assert es.count(index=index_alias, query={"term": {"reliability": "B"}})["count"] == 30
    shown = run("sources", "show", "Wire Alpha").output
    assert "wire agency, good record" in shown and "cli:" in shown


def test_bad_grade_unknown_source_and_missing_rationale_exit_2():
    assert "allowed: A, B, C, D, E, F" in run("sources", "grade", "Blog Beta", "Z", "--why", "x", code=2).output
    assert "Did you mean 'Blog Beta'" in run("sources", "grade", "Blog Betta", "C", "--why", "x", code=2).output
    assert "rationale is required" in run("sources", "grade", "Blog Beta", "C", "--why", " ", code=2).output


def test_apply_a_grading_file(tmp_path: Path, es: Elasticsearch, index_alias: str):
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - name: Blog Beta\n    reliability: E\n    type: social\n    owner: Beta LLC\n"
                    "    rationale: anonymous blog, unsourced claims\n", encoding="utf-8")
    assert "1 sources graded" in run("sources", "apply", str(path)).output
    assert es.count(index=index_alias, query={"bool": {"filter": [
        {"term": {"source": "Blog Beta"}}, {"term": {"reliability": "E"}}]}})["count"] == 30
    assert "Beta LLC" in run("sources", "show", "blog beta").output
    path.write_text("nope: 1\n", encoding="utf-8")
    assert "sources:" in run("sources", "apply", str(path), code=2).output


def test_reapplying_a_file_adds_no_history():
    from pathlib import Path as _P
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = _P(tmp) / "g.yaml"
        path.write_text("sources:\n  - name: Wire Alpha\n    reliability: A\n    rationale: audited\n", encoding="utf-8")
        run("sources", "apply", str(path))
        run("sources", "apply", str(path))
    assert run("sources", "show", "Wire Alpha").output.count("audited") == 1  # one history row, not two
