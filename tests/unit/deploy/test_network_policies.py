"""The network policies allow exactly the flows each workload needs, each to named peers.

Every render that holds the network-policies component (the overlays that include it, and
the base with it alone) is checked: default deny; every rule names its peers and ports;
the one rule open to the internet (notify's webhooks) excepts every private range; each
SES workload reaches exactly its destinations and is reached only from the gateway; and
an overlay replaces every placeholder address of the component with its own.
"""

from __future__ import annotations

import ipaddress

import pytest
from deploy_support import (
    Doc,
    ident,
    is_migration,
    is_ses_server,
    label_of,
    matches_label_selector,
    named,
    of_kind,
    pod_labels,
    render,
    ses_config,
    sources_including,
)

EGRESS_TO = "ses.platform/egress-to"
INGRESS_FROM = "ses.platform/ingress-from"
PLACEHOLDERS = ipaddress.ip_network("192.0.2.0/24")  # TEST-NET-1: the component's
ANYWHERE = {ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")}
# What an ipBlock open to the internet must except: the cluster, the company network and
# the cloud's metadata endpoint all live in these.
MUST_EXCEPT = {
    4: [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "127.0.0.0/8",
    ],
    6: ["fc00::/7", "fe80::/10", "::1/128"],
}
# The only peers allowed to be "anywhere": notify's webhook receivers (egress) and the
# clients of the Envoy edge (ingress).
OPEN_EGRESS_POLICY = "notify-egress-webhooks"
OPEN_INGRESS_POLICY = "grpc-gateway"

EVERY_SERVER = {"dns", "postgresql", "nats", "otel-collector"}
ONLY = {"files": {"object-storage"}, "notify": {"smtp-relay", "webhooks"}}
MIGRATION = {"dns", "postgresql"}

# The overlays that include the policies, and the two ways to verify tokens without one:
# an OIDC issuer (egress to it) or the shared key ring (no issuer to reach).
SOURCES = [
    *sources_including("network-policies")[:-1],
    "component:network-policies+egress-oidc-issuer",
    "component:identity-shared-keys+network-policies",
]


@pytest.fixture(params=SOURCES)
def objects(request: pytest.FixtureRequest) -> list[Doc]:
    return render(request.param)


def policies(docs: list[Doc]) -> list[Doc]:
    return of_kind(docs, "NetworkPolicy")


def applies_to(policy: Doc, labels: dict[str, str]) -> bool:
    return matches_label_selector(policy["spec"]["podSelector"], labels)


def peer_problem(peer: Doc) -> str | None:
    """Why a peer does not name its destination or source (None when it does)."""
    if "ipBlock" in peer:
        return None
    selectors = [peer[key] for key in ("podSelector", "namespaceSelector") if key in peer]
    if not selectors:
        return "a peer with neither selector nor ipBlock"
    if not any(s.get("matchLabels") or s.get("matchExpressions") for s in selectors):
        return "a peer whose selectors are empty (every pod or namespace)"
    return None


def test_everything_is_denied_unless_allowed(objects: list[Doc]) -> None:
    deny = named(objects, "NetworkPolicy", "default-deny-all")
    assert deny is not None
    assert deny["spec"]["podSelector"] == {}
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny["spec"]
    assert "egress" not in deny["spec"]


def test_every_rule_names_its_peers_and_ports(objects: list[Doc]) -> None:
    problems = []
    for policy in policies(objects):
        for direction, peers_key in (("egress", "to"), ("ingress", "from")):
            for rule in policy["spec"].get(direction, []):
                where = f"{ident(policy)} {direction}"
                if not rule.get(peers_key):
                    problems.append(f"{where}: a rule without `{peers_key}` allows everyone")
                if not rule.get("ports"):
                    problems.append(f"{where}: a rule without ports allows every port")
                for peer in rule.get(peers_key, []):
                    problem = peer_problem(peer)
                    if problem:
                        problems.append(f"{where}: {problem}")
    assert not problems, "\n".join(problems)


def test_only_webhooks_and_the_edge_are_open_and_webhooks_never_reach_private_ranges(
    objects: list[Doc],
) -> None:
    problems = []
    for policy in policies(objects):
        name = policy["metadata"]["name"]
        for direction, peers_key, allowed in (
            ("egress", "to", OPEN_EGRESS_POLICY),
            ("ingress", "from", OPEN_INGRESS_POLICY),
        ):
            for rule in policy["spec"].get(direction, []):
                for peer in rule.get(peers_key, []):
                    block = peer.get("ipBlock")
                    if block is None or ipaddress.ip_network(block["cidr"]) not in ANYWHERE:
                        continue
                    if name != allowed:
                        problems.append(f"{ident(policy)}: {direction} open to {block['cidr']}")
                    elif direction == "egress":
                        version = ipaddress.ip_network(block["cidr"]).version
                        excepted = {ipaddress.ip_network(c) for c in block.get("except", [])}
                        missing = [
                            c
                            for c in MUST_EXCEPT[version]
                            if ipaddress.ip_network(c) not in excepted
                        ]
                        if missing:
                            problems.append(f"{ident(policy)}: webhooks may reach {missing}")
    assert not problems, "\n".join(problems)


def flows(workload: Doc, docs: list[Doc], direction: str, label: str) -> set[str]:
    """The labelled flows the policies allow a workload's pods, in one direction."""
    found: set[str] = set()
    for policy in policies(docs):
        if applies_to(policy, pod_labels(workload)) and policy["spec"].get(direction):
            flow = label_of(policy, label)
            found.add(flow if flow else f"unlabelled {ident(policy)}")
    return found


def expected_egress(workload: Doc, config: dict[str, str]) -> set[str]:
    if is_migration(workload):
        return MIGRATION
    expected = EVERY_SERVER | ONLY.get(workload["metadata"]["name"], set())
    if config.get("SES_IDENTITY__OIDC_ISSUER"):
        expected = expected | {"oidc-issuer"}
    return expected


def test_each_ses_workload_reaches_exactly_its_destinations(objects: list[Doc]) -> None:
    config = ses_config(objects)
    workloads = [*filter(is_ses_server, of_kind(objects, "Deployment")), *of_kind(objects, "Job")]
    assert workloads
    problems = []
    for workload in workloads:
        allowed = flows(workload, objects, "egress", EGRESS_TO)
        expected = expected_egress(workload, config)
        if allowed != expected:
            extra, missing = sorted(allowed - expected), sorted(expected - allowed)
            problems.append(f"{ident(workload)}: extra {extra}, missing {missing}")
    assert not problems, "\n".join(problems)


def test_the_services_are_reached_only_from_the_gateway(objects: list[Doc]) -> None:
    for server in filter(is_ses_server, of_kind(objects, "Deployment")):
        assert flows(server, objects, "ingress", INGRESS_FROM) == {"gateway"}, ident(server)
    for job in of_kind(objects, "Job"):
        assert flows(job, objects, "ingress", INGRESS_FROM) == set(), ident(job)


def test_notify_reaches_the_smtp_relay_on_the_port_it_is_configured_with(
    objects: list[Doc],
) -> None:
    policy = named(objects, "NetworkPolicy", "notify-egress-smtp")
    assert policy is not None
    (rule,) = policy["spec"]["egress"]
    ports = {p["port"] for p in rule["ports"]}
    assert ports == {int(ses_config(objects)["SES_NOTIFY__SMTP_PORT"])}


def is_placeholder(cidr: str) -> bool:
    network = ipaddress.ip_network(cidr)
    return isinstance(network, ipaddress.IPv4Network) and network.subnet_of(PLACEHOLDERS)


@pytest.mark.parametrize("source", [s for s in SOURCES if s.startswith("rendered:")])
def test_overlays_give_their_own_addresses_for_every_placeholder(source: str) -> None:
    docs = render(source)
    kept = [
        f"{ident(policy)}: {peer['ipBlock']['cidr']}"
        for policy in policies(docs)
        for direction, key in (("egress", "to"), ("ingress", "from"))
        for rule in policy["spec"].get(direction, [])
        for peer in rule.get(key, [])
        if "ipBlock" in peer and is_placeholder(peer["ipBlock"]["cidr"])
    ]
    assert not kept, "placeholders the overlay must replace:\n" + "\n".join(kept)


def test_the_backends_policies_select_the_backends_the_production_overlay_runs() -> None:
    """The default peers are the labels the nats-cluster, postgresql-cnpg and otel-collector
    components put on their pods: a renamed label would silently cut the services off."""
    (production,) = [s for s in SOURCES if s.endswith("production")]
    docs = render(production)
    (nats,) = of_kind(docs, "StatefulSet")
    (database,) = of_kind(docs, "Cluster")
    collector = named(docs, "Deployment", "otel-collector")
    assert collector is not None
    backends = {
        "ses-egress-nats": pod_labels(nats),
        "ses-egress-postgresql": {"cnpg.io/cluster": database["metadata"]["name"]},
        "ses-egress-otel-collector": pod_labels(collector),
    }
    for name, labels in backends.items():
        policy = named(docs, "NetworkPolicy", name)
        assert policy is not None, name
        (rule,) = policy["spec"]["egress"]
        assert any(
            matches_label_selector(peer["podSelector"], labels)
            for peer in rule["to"]
            if "podSelector" in peer and "namespaceSelector" not in peer
        ), f"{name} does not reach the pods it is meant for"
