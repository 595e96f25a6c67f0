"""Reading the manifests under deploy/: the files as written, and what kustomize renders.

What a person builds: the base and each overlay. Components build only inside one, so
each component is also rendered on top of the base (in a throwaway kustomization with
``namespace: ses``), so that no component goes unchecked because no overlay includes it.
Rendering needs ``kubectl`` (``scripts/ensure-system-deps.sh`` installs it); without it
the rendered half of the tests is skipped.

No offline Kubernetes schema is at hand here (``kubectl`` fetches schemas from a live API
server), so the tests check the shape of every object they rely on themselves: built-in
kinds through the fields the invariants read, custom resources (GRPCRoute, Gateway,
CloudNativePG Cluster and Database, KEDA ScaledObject, ACK Bucket) through their
apiVersion, kind and required fields.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
BASE = DEPLOY / "base"
COMPONENTS = DEPLOY / "components"
OVERLAYS = DEPLOY / "overlays"
PRODUCTION = OVERLAYS / "production"
EXAMPLE_SECRETS = BASE / "ses-secrets.example.yaml"
KUSTOMIZATION_KINDS = {"Kustomization", "Component"}
NAMESPACE = "ses"

Doc = dict[str, Any]


@dataclass(frozen=True)
class Manifest:
    path: Path
    docs: tuple[Doc, ...]


@cache
def load(path: Path) -> Manifest:
    return Manifest(path, tuple(d for d in yaml.safe_load_all(path.read_text()) if d is not None))


def kustomizations() -> list[Path]:
    return sorted(DEPLOY.rglob("kustomization.yaml"))


def kustomization(folder: Path) -> Doc:
    return load(folder / "kustomization.yaml").docs[0]


def generator_inputs() -> set[Path]:
    """Files a configMapGenerator reads (an Envoy or NATS configuration), not manifests."""
    found: set[Path] = set()
    for path in kustomizations():
        spec = load(path).docs[0]
        for generator in spec.get("configMapGenerator", []) + spec.get("secretGenerator", []):
            for entry in generator.get("envs", []) + generator.get("files", []):
                found.add((path.parent / entry.rpartition("=")[2]).resolve())
    return found


def yaml_files() -> list[Path]:
    """Every YAML file meant for Kubernetes or kustomize (generator inputs excluded)."""
    inputs = generator_inputs()
    return sorted(
        p for p in DEPLOY.rglob("*") if p.suffix in {".yaml", ".yml"} and p.resolve() not in inputs
    )


def patch_files() -> set[Path]:
    found: set[Path] = set()
    for path in kustomizations():
        for patch in load(path).docs[0].get("patches", []):
            if "path" in patch:
                found.add((path.parent / patch["path"]).resolve())
    return found


def resource_files() -> list[Path]:
    """Files holding whole Kubernetes objects (not kustomizations, patches or templates)."""
    patches = patch_files()
    return [
        p
        for p in yaml_files()
        if p.name != "kustomization.yaml" and p.resolve() not in patches and p != EXAMPLE_SECRETS
    ]


def objects_in_files() -> list[Doc]:
    return [doc for path in resource_files() for doc in load(path).docs]


def overlays() -> list[Path]:
    return sorted(p for p in OVERLAYS.iterdir() if p.is_dir())


def components() -> list[Path]:
    return sorted(p for p in COMPONENTS.iterdir() if (p / "kustomization.yaml").is_file())


def kustomize_roots() -> list[Path]:
    """What a person builds: the base and each overlay."""
    return [BASE, *overlays()]


def included_components(root: Path) -> list[Path]:
    return [(root / entry).resolve() for entry in kustomization(root).get("components", [])]


def _kubectl() -> str:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed; the rendered manifests are not checked")
    return kubectl


def _kustomize(root: Path) -> tuple[Doc, ...]:
    result = subprocess.run(
        [_kubectl(), "kustomize", str(root)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"kubectl kustomize {root} failed:\n{result.stderr}"
    return tuple(d for d in yaml.safe_load_all(result.stdout) if d is not None)


@cache
def rendered(root: Path) -> tuple[Doc, ...]:
    """What ``kubectl kustomize`` renders for the base or an overlay."""
    return _kustomize(root)


@cache
def rendered_component(*components: Path) -> tuple[Doc, ...]:
    """The base with these components, as an overlay including only them would render."""
    with tempfile.TemporaryDirectory(prefix="ses-kustomize-") as scratch:
        folder = Path(scratch)
        # kustomize refuses absolute paths to bases and components: relative ones it takes.
        spec = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "namespace": NAMESPACE,
            "resources": [os.path.relpath(BASE, folder)],
            "components": [os.path.relpath(c, folder) for c in components],
        }
        (folder / "kustomization.yaml").write_text(yaml.safe_dump(spec))
        return _kustomize(folder)


def render_sources() -> list[str]:
    """Names of every render the tests check: base, overlays, then base + each component."""
    return [
        *(f"rendered:{p.relative_to(DEPLOY)}" for p in kustomize_roots()),
        *(f"component:{p.name}" for p in components()),
    ]


def sources_including(component: str) -> list[str]:
    """The renders holding ``component``: the overlays that include it, and base + it."""
    target = (COMPONENTS / component).resolve()
    holding = [o for o in overlays() if target in included_components(o)]
    return [*(f"rendered:{o.relative_to(DEPLOY)}" for o in holding), f"component:{component}"]


def render(source: str) -> list[Doc]:
    """A render by name: ``rendered:<base or overlay>`` or ``component:<a>+<b>...``."""
    kind, _, name = source.partition(":")
    if kind == "component":
        return list(rendered_component(*(COMPONENTS / c for c in name.split("+"))))
    return list(rendered(DEPLOY / name))


# --- reading objects -------------------------------------------------------------------


def of_kind(docs: list[Doc], *kinds: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") in kinds]


def named(docs: list[Doc], kind: str, name: str) -> Doc | None:
    return next((d for d in of_kind(docs, kind) if d["metadata"]["name"] == name), None)


def ident(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def label_of(doc: Doc, key: str) -> str | None:
    value: str | None = doc["metadata"].get("labels", {}).get(key)
    return value


def pod_spec(workload: Doc) -> Doc:
    spec: Doc = workload["spec"]["template"]["spec"]
    return spec


def pod_labels(workload: Doc) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"].get("labels", {})
    return labels


def containers(workload: Doc) -> Iterator[Doc]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def is_ses_server(doc: Doc) -> bool:
    return doc["kind"] == "Deployment" and any(
        port.get("name") == "grpc"
        for container in pod_spec(doc)["containers"]
        for port in container.get("ports", [])
    )


def is_migration(doc: Doc) -> bool:
    return doc["kind"] == "Job" and label_of(doc, "app.kubernetes.io/component") == "migration"


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def matches_label_selector(selector: Doc, labels: dict[str, str]) -> bool:
    """Kubernetes LabelSelector semantics; an empty selector matches everything."""
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def ses_config(docs: list[Doc]) -> dict[str, str]:
    (config,) = [
        c for c in of_kind(docs, "ConfigMap") if c["metadata"]["name"].startswith("ses-config")
    ]
    data: dict[str, str] = config.get("data", {})
    return data


def read_env_file(path: Path) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value
    return pairs


def quantity_bytes(value: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    match = re.fullmatch(r"(\d+)([KMG]i?)?B?", str(value))
    assert match, f"unreadable quantity {value!r}"
    return int(match.group(1)) * units.get(match.group(2) or "", 1)


def proto_services() -> dict[str, str]:
    """Every gRPC service in protos/, by full name, with the context (= the SES service
    that serves it: protos/ses/<context>/v1/)."""
    found: dict[str, str] = {}
    for proto in sorted((REPO / "protos" / "ses").glob("*/v1/*.proto")):
        text = proto.read_text()
        package = re.search(r"^package\s+([\w.]+)\s*;", text, re.MULTILINE)
        assert package, f"{proto}: no package"
        for service in re.findall(r"^service\s+(\w+)\s*\{", text, re.MULTILINE):
            found[f"{package.group(1)}.{service}"] = proto.parent.parent.name
    return found
