"""Settings: parsed once from PERISCOPE_* variables, with errors that name the variable."""

from pathlib import Path

import pytest

from periscope.settings import SettingsError, load_settings


def test_defaults_use_managed_node(monkeypatch):
    monkeypatch.delenv("PERISCOPE_ES_URL", raising=False)
    s = load_settings()
    assert s.managed
    assert s.es_hosts == [f"http://127.0.0.1:{s.es_port}"]
    assert s.index_alias == "periscope-docs"


def test_external_cluster_from_env(monkeypatch, tmp_path: Path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("PERISCOPE_ES_URL", "https://es1.example.org:9200, https://es2.example.org:9200")
    monkeypatch.setenv("PERISCOPE_ES_API_KEY", "abc")
    monkeypatch.setenv("PERISCOPE_ES_CA_CERTS", str(ca))
    monkeypatch.setenv("PERISCOPE_ES_VERIFY_CERTS", "false")
    monkeypatch.setenv("PERISCOPE_ES_REQUEST_TIMEOUT", "12.5")
    s = load_settings()
    assert not s.managed
    assert s.es_hosts == ["https://es1.example.org:9200", "https://es2.example.org:9200"]
    from mappings.client import client_options

    opts = client_options(s)
    assert opts["api_key"] == "abc" and opts["ca_certs"] == str(ca)
    assert opts["verify_certs"] is False and opts["request_timeout"] == 12.5


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("PERISCOPE_ES_URL", "es.example.org:9200", "PERISCOPE_ES_URL"),
        ("PERISCOPE_ES_URL", "ftp://es.example.org", "not an http(s) URL"),
        ("PERISCOPE_ES_URL", "http://es.example.org:port", "invalid port"),
        ("PERISCOPE_ES_CA_CERTS", "/nonexistent/ca.pem", "does not exist"),
        ("PERISCOPE_ES_REQUEST_TIMEOUT", "soon", "PERISCOPE_ES_REQUEST_TIMEOUT"),
        ("PERISCOPE_INDEX_ALIAS", "Bad Name", "not a valid index name"),
    ],
)
def test_bad_settings_give_clear_errors(monkeypatch, env, value, needle):
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert needle in str(err.value)
    assert env in str(err.value)


def test_user_without_password_is_rejected(monkeypatch):
    monkeypatch.setenv("PERISCOPE_ES_USERNAME", "elastic")
    with pytest.raises(SettingsError, match="PERISCOPE_ES_PASSWORD"):
        load_settings()


def test_dotenv_file_is_read(monkeypatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PERISCOPE_INDEX_ALIAS=from-dotenv\nPERISCOPE_API_PORT=8111\n")
    s = load_settings()
    assert s.index_alias == "from-dotenv" and s.api_port == 8111


def test_cluster_mode_lists_every_node_and_turns_replicas_on(monkeypatch):
    monkeypatch.delenv("PERISCOPE_ES_URL", raising=False)
    monkeypatch.delenv("PERISCOPE_INDEX_REPLICAS", raising=False)
    monkeypatch.setenv("PERISCOPE_ES_NODES", "3")
    monkeypatch.setenv("PERISCOPE_ES_PORT", "9410")
    s = load_settings()
    assert s.managed and s.index_replicas == 1
    assert s.es_hosts == ["http://127.0.0.1:9410", "http://127.0.0.1:9411", "http://127.0.0.1:9412"]
    from mappings.client import client_options

    assert client_options(s.api_es_connection())["hosts"] == s.es_hosts  # the API and indexer use every node
    monkeypatch.setenv("PERISCOPE_INDEX_REPLICAS", "2")
    assert load_settings().index_replicas == 2  # an explicit choice wins
    monkeypatch.delenv("PERISCOPE_INDEX_REPLICAS")
    monkeypatch.setenv("PERISCOPE_ES_URL", "http://es1:9200,http://es2:9200")
    s = load_settings()  # an external cluster: its URLs, replicas as configured
    assert s.es_hosts == ["http://es1:9200", "http://es2:9200"] and s.index_replicas == 0


@pytest.mark.parametrize("value", ["0", "10", "three"])
def test_bad_node_count_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("PERISCOPE_ES_NODES", value)
    with pytest.raises(SettingsError, match="PERISCOPE_ES_NODES"):
        load_settings()


def test_api_retries_a_timeout_only_when_another_node_exists(monkeypatch):
    monkeypatch.delenv("PERISCOPE_ES_URL", raising=False)
    one = load_settings().api_es_connection()
    assert one.retry_on_timeout is False  # one node: retrying an overloaded node only adds load
    monkeypatch.setenv("PERISCOPE_ES_NODES", "3")
    many = load_settings().api_es_connection()
    assert many.retry_on_timeout is True and many.max_retries == 3 and len(many.hosts) == 3
    monkeypatch.setenv("PERISCOPE_ES_MAX_RETRIES", "0")
    assert load_settings().api_es_connection().max_retries == 0  # never more than the client-wide cap
