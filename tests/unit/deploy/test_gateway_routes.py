"""One gRPC address for the four services: every gRPC service in protos/ is routed, by its
name, to the Service that serves it, through the Gateway API component and through the
Envoy alternative alike.

GRPCRoute and Gateway are custom resources: kubectl has no schema for them offline, so
their shape (apiVersion, kind, the fields routing depends on) is checked here. The Envoy
configuration is read as Envoy would read it (its YAML), not run: no Envoy binary here.
"""

from __future__ import annotations

from typing import Any

import pytest
from deploy_support import (
    COMPONENTS,
    PRODUCTION,
    Doc,
    ident,
    load,
    matches_label_selector,
    named,
    of_kind,
    pod_labels,
    proto_services,
    render,
    rendered,
    rendered_component,
    sources_including,
)

from ses_core.platform.grpc._methods import HEALTH_SERVICE, REFLECTION_SERVICES

GATEWAY_API = "gateway.networking.k8s.io/v1"
ENVOY = COMPONENTS / "grpc-gateway-envoy"
# Every SES server answers these for itself: the gateway sends them to one server.
SHARED_SERVICES = (HEALTH_SERVICE, *REFLECTION_SERVICES)


@pytest.fixture(params=sources_including("gateway-api"))
def objects(request: pytest.FixtureRequest) -> list[Doc]:
    return render(request.param)


def route_table(routes: list[Doc]) -> dict[str, list[tuple[str, int]]]:
    """gRPC service name -> the backends (Service, port) routes send it to."""
    table: dict[str, list[tuple[str, int]]] = {}
    for route in routes:
        for rule in route["spec"]["rules"]:
            backends = [(b["name"], b["port"]) for b in rule["backendRefs"]]
            for match in rule["matches"]:
                table.setdefault(match["method"]["service"], []).extend(backends)
    return table


def server_behind(service_name: str, docs: list[Doc]) -> str | None:
    """The Deployment whose pods a Service selects (None if it selects no SES server)."""
    service = named(docs, "Service", service_name)
    if service is None:
        return None
    for deployment in of_kind(docs, "Deployment"):
        if matches_label_selector(
            {"matchLabels": service["spec"]["selector"]}, pod_labels(deployment)
        ):
            name: str = deployment["metadata"]["name"]
            return name
    return None


def test_grpc_routes_and_their_gateway_have_the_shape_implementations_read(
    objects: list[Doc],
) -> None:
    routes = of_kind(objects, "GRPCRoute")
    assert routes
    problems = []
    for route in routes:
        spec = route["spec"]
        if route["apiVersion"] != GATEWAY_API:
            problems.append(f"{ident(route)}: apiVersion {route['apiVersion']}")
        for rule in spec.get("rules", []):
            for match in rule.get("matches", []):
                method = match.get("method", {})
                # Exact on the service alone: core support in every implementation.
                if method.get("type", "Exact") != "Exact" or not method.get("service"):
                    problems.append(f"{ident(route)}: a match not Exact on a service name")
                if "method" in method:
                    problems.append(f"{ident(route)}: routes single methods, not services")
            for backend in rule.get("backendRefs", []):
                service = named(objects, "Service", backend["name"])
                ports = [p for p in (service or {}).get("spec", {}).get("ports", [])]
                if not any(
                    p["port"] == backend["port"] and p.get("appProtocol") == "grpc" for p in ports
                ):
                    problems.append(f"{ident(route)}: backend {backend} is not a gRPC Service port")
        for parent in spec["parentRefs"]:
            gateway = named(objects, "Gateway", parent["name"])
            if gateway is None or gateway["apiVersion"] != GATEWAY_API:
                problems.append(f"{ident(route)}: parent Gateway {parent['name']} not rendered")
                continue
            listeners = {ln["name"]: ln for ln in gateway["spec"]["listeners"]}
            listener = listeners.get(parent.get("sectionName", ""))
            if listener is None or listener["protocol"] not in {"HTTPS", "HTTP"}:
                problems.append(f"{ident(route)}: no HTTP(S) listener {parent.get('sectionName')}")
            elif set(spec["hostnames"]) != {listener["hostname"]}:
                problems.append(f"{ident(route)}: hostnames {spec['hostnames']} not the listener's")
    for gateway in of_kind(objects, "Gateway"):
        if not gateway["spec"].get("gatewayClassName"):
            problems.append(f"{ident(gateway)}: no gatewayClassName")
        for listener in gateway["spec"]["listeners"]:
            if listener["protocol"] == "HTTPS" and not listener["tls"]["certificateRefs"]:
                problems.append(f"{ident(gateway)}: HTTPS listener without a certificate")
    assert not problems, "\n".join(problems)


def test_every_grpc_service_in_protos_is_routed_to_the_server_that_serves_it(
    objects: list[Doc],
) -> None:
    table = route_table(of_kind(objects, "GRPCRoute"))
    services = proto_services()
    assert services, "no gRPC service found in protos/"
    problems = []
    for service, context in services.items():
        backends = table.get(service, [])
        if len(backends) != 1 or server_behind(backends[0][0], objects) != context:
            problems.append(f"{service}: routed to {backends}, expected the {context} server")
    for service in SHARED_SERVICES:
        backends = table.get(service, [])
        if len(backends) != 1 or server_behind(backends[0][0], objects) not in services.values():
            problems.append(f"{service}: routed to {backends}, expected one SES server")
    unknown = sorted(set(table) - set(services) - set(SHARED_SERVICES))
    if unknown:
        problems.append(f"routes for services no server has: {unknown}")
    assert not problems, "\n".join(problems)


def test_production_names_its_gateway_class() -> None:
    (gateway,) = of_kind(list(rendered(PRODUCTION)), "Gateway")
    assert gateway["spec"]["gatewayClassName"] != "set-by-overlay"


# --- the Envoy alternative -------------------------------------------------------------


def envoy_config() -> dict[str, Any]:
    config: dict[str, Any] = load(ENVOY / "envoy.yaml").docs[0]
    return config


def test_the_envoy_gateway_routes_every_grpc_service_to_the_server_that_serves_it() -> None:
    static = envoy_config()["static_resources"]
    (grpc_listener,) = [ln for ln in static["listeners"] if ln["name"] == "grpc"]
    (manager,) = grpc_listener["filter_chains"][0]["filters"]
    (virtual_host,) = manager["typed_config"]["route_config"]["virtual_hosts"]
    prefixes = {r["match"]["prefix"]: r["route"] for r in virtual_host["routes"]}
    clusters = {c["name"]: c for c in static["clusters"]}
    expected = {**proto_services(), **dict.fromkeys(SHARED_SERVICES, "enrollment")}
    problems = []
    for service, context in expected.items():
        route = prefixes.get(f"/{service}/")
        if route is None or route["cluster"] != context:
            problems.append(f"{service}: routed to {route}, expected cluster {context}")
        # Uploads and downloads are long streams: no route timeout, the client's deadline.
        elif route.get("timeout") != "0s":
            problems.append(f"{service}: route timeout {route.get('timeout')} cuts streams")
    for name in set(expected.values()):
        cluster = clusters.get(name, {})
        if "grpc_health_check" not in cluster.get("health_checks", [{}])[0]:
            problems.append(f"cluster {name}: no gRPC health check")
    assert not problems, "\n".join(problems)


def test_the_envoy_gateway_balances_over_every_pod_of_each_server() -> None:
    """Each Envoy cluster resolves a headless Service of that server's pods (a ClusterIP
    would pin every HTTP/2 connection to one pod)."""
    docs = list(rendered_component(ENVOY))
    problems = []
    for cluster in envoy_config()["static_resources"]["clusters"]:
        (endpoint,) = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"]
        address = endpoint["endpoint"]["address"]["socket_address"]
        service = named(docs, "Service", address["address"])
        if cluster["type"] != "STRICT_DNS" or service is None:
            problems.append(f"cluster {cluster['name']}: not a Service resolved by DNS")
            continue
        if service["spec"].get("clusterIP") != "None":
            problems.append(f"{ident(service)}: not headless")
        if server_behind(service["metadata"]["name"], docs) != cluster["name"]:
            problems.append(f"{ident(service)}: does not select the {cluster['name']} pods")
        if address["port_value"] not in {p["port"] for p in service["spec"]["ports"]}:
            problems.append(f"cluster {cluster['name']}: port {address['port_value']} not served")
    assert not problems, "\n".join(problems)
