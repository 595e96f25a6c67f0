"""Every Deployment scales by one autoscaler and spreads its pods over nodes and zones.

Checked on every render (base, overlays, base + each component). KEDA's ScaledObject is a
custom resource: kubectl has no schema for it offline, so its shape (apiVersion, kind,
target, triggers) is checked here, and its NATS JetStream trigger against the names the
code uses (stream ``SES_EVENTS``, notify's durable consumer).
"""

from __future__ import annotations

import pytest
from deploy_support import (
    COMPONENTS,
    Doc,
    ident,
    is_ses_server,
    load,
    matches_label_selector,
    of_kind,
    pod_labels,
    pod_spec,
    render,
    render_sources,
    rendered_component,
)

from ses_core.platform.messaging import EVENTS_STREAM
from ses_notify.consumers import DURABLE_NAME as NOTIFY_DURABLE

SPREAD_KEYS = {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}
HPA_API = "autoscaling/v2"
KEDA_API = "keda.sh/v1alpha1"


@pytest.fixture(params=render_sources())
def objects(request: pytest.FixtureRequest) -> list[Doc]:
    return render(request.param)


def autoscalers_of(deployment: Doc, docs: list[Doc]) -> list[Doc]:
    name = deployment["metadata"]["name"]
    return [
        scaler
        for scaler in of_kind(docs, "HorizontalPodAutoscaler", "ScaledObject")
        if scaler["spec"]["scaleTargetRef"].get("kind", "Deployment") == "Deployment"
        and scaler["spec"]["scaleTargetRef"]["name"] == name
    ]


def replica_bounds(scaler: Doc) -> tuple[int, int]:
    spec = scaler["spec"]
    if scaler["kind"] == "ScaledObject":
        return spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    return spec.get("minReplicas", 1), spec["maxReplicas"]


def scales_on_cpu(scaler: Doc) -> bool:
    if scaler["kind"] == "ScaledObject":
        return any(t["type"] == "cpu" for t in scaler["spec"]["triggers"])
    return any(
        m["type"] == "Resource"
        and m["resource"]["name"] == "cpu"
        and m["resource"]["target"]["type"] == "Utilization"
        for m in scaler["spec"].get("metrics", [])
    )


def test_every_deployment_has_exactly_one_autoscaler_on_cpu(objects: list[Doc]) -> None:
    problems = []
    for deployment in of_kind(objects, "Deployment"):
        scalers = autoscalers_of(deployment, objects)
        if len(scalers) != 1:
            problems.append(f"{ident(deployment)}: {len(scalers)} autoscalers (one expected)")
            continue
        (scaler,) = scalers
        if scaler["kind"] == "HorizontalPodAutoscaler" and scaler["apiVersion"] != HPA_API:
            problems.append(f"{ident(scaler)}: use {HPA_API}")
        if not scales_on_cpu(scaler):
            problems.append(f"{ident(scaler)}: does not scale on CPU utilisation")
        low, high = replica_bounds(scaler)
        if is_ses_server(deployment) and low < 2:
            problems.append(f"{ident(scaler)}: an SES server keeps at least 2 replicas")
        if not 1 <= low <= high:
            problems.append(f"{ident(scaler)}: replica bounds {low}..{high}")
        # A `replicas` in the manifest would reset the scaled count at every apply.
        if "replicas" in deployment["spec"]:
            problems.append(f"{ident(deployment)}: sets replicas, which {ident(scaler)} owns")
    assert not problems, "\n".join(problems)


def test_every_deployment_spreads_over_nodes_and_zones(objects: list[Doc]) -> None:
    problems = []
    for deployment in of_kind(objects, "Deployment", "StatefulSet"):
        constraints = pod_spec(deployment).get("topologySpreadConstraints", [])
        keys = {c["topologyKey"] for c in constraints}
        if not keys >= SPREAD_KEYS:
            problems.append(f"{ident(deployment)}: spreads over {sorted(keys)} only")
        for constraint in constraints:
            if not matches_label_selector(constraint["labelSelector"], pod_labels(deployment)):
                problems.append(f"{ident(deployment)}: a spread constraint ignores its own pods")
            if constraint["maxSkew"] != 1:
                problems.append(f"{ident(deployment)}: maxSkew {constraint['maxSkew']}")
    assert not problems, "\n".join(problems)


def test_the_notify_lag_component_scales_notify_on_its_consumer_lag_and_on_cpu() -> None:
    component = COMPONENTS / "notify-lag-autoscaling"
    docs = list(rendered_component(component))
    (scaled,) = of_kind(docs, "ScaledObject")
    assert scaled["apiVersion"] == KEDA_API
    assert scaled["spec"]["scaleTargetRef"]["name"] == "notify"
    # KEDA owns notify's HPA from here: the base's is gone, an existing one is adopted.
    hpas = {h["metadata"]["name"] for h in of_kind(docs, "HorizontalPodAutoscaler")}
    assert "notify" not in hpas
    annotations = scaled["metadata"]["annotations"]
    assert annotations["scaledobject.keda.sh/transfer-hpa-ownership"] == "true"
    assert scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["name"] == "notify"
    triggers = {t["type"]: t for t in scaled["spec"]["triggers"]}
    assert set(triggers) == {"nats-jetstream", "cpu"}
    lag = triggers["nats-jetstream"]["metadata"]
    assert lag["stream"] == EVENTS_STREAM
    assert lag["consumer"] == NOTIFY_DURABLE
    assert int(lag["lagThreshold"]) > 0
    # The monitoring endpoint is the nats-cluster component's headless Service: KEDA asks
    # the consumer's leader through per-pod names under it.
    host, _, port = lag["natsServerMonitoringEndpoint"].partition(":")
    service_name, namespace = host.split(".")[:2]
    services = load(COMPONENTS / "nats-cluster" / "services.yaml").docs
    (headless,) = [s for s in services if s["metadata"]["name"] == service_name]
    assert headless["spec"]["clusterIP"] == "None"
    assert namespace == "ses"
    assert int(port) in {p["port"] for p in headless["spec"]["ports"] if p["name"] == "monitor"}
