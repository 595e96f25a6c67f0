"""The Kubernetes manifests under deploy/ keep the platform's deployment rules.

Every rule is checked twice: on the YAML files as written (PyYAML only), and on what
``kubectl kustomize`` renders for the base and each overlay, so that a patch or a
component cannot quietly undo a rule. The rendered half is skipped where kubectl is not
installed. No cluster is needed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from ses_core.platform.settings import SERVICES, Settings, env_name, load_settings

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
BASE = DEPLOY / "base"
EXAMPLE_SECRETS = BASE / "ses-secrets.example.yaml"
KUSTOMIZATION_KINDS = {"Kustomization", "Component"}
SES_UID = 10001
MIN_TERMINATION_GRACE = 35
FILES_MEMORY_LIMIT_MAX = 512 * 2**20

Doc = dict[str, Any]


@dataclass(frozen=True)
class Manifest:
    path: Path
    docs: tuple[Doc, ...]


def yaml_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yaml", ".yml"})


@cache
def load(path: Path) -> Manifest:
    return Manifest(path, tuple(d for d in yaml.safe_load_all(path.read_text()) if d is not None))


def kustomizations() -> list[Path]:
    return sorted(DEPLOY.rglob("kustomization.yaml"))


def kustomize_roots() -> list[Path]:
    """What a person builds: the base and each overlay (components only build inside them)."""
    return [BASE, *sorted(p for p in (DEPLOY / "overlays").iterdir() if p.is_dir())]


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


@cache
def rendered(root: Path) -> tuple[Doc, ...]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed; the rendered manifests are not checked")
    result = subprocess.run(
        [kubectl, "kustomize", str(root)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"kubectl kustomize {root} failed:\n{result.stderr}"
    return tuple(d for d in yaml.safe_load_all(result.stdout) if d is not None)


SOURCES = ["files", *(f"rendered:{p.relative_to(DEPLOY)}" for p in kustomize_roots())]


@pytest.fixture(params=SOURCES)
def objects(request: pytest.FixtureRequest) -> list[Doc]:
    source: str = request.param
    if source == "files":
        return objects_in_files()
    return list(rendered(DEPLOY / source.removeprefix("rendered:")))


def of_kind(docs: list[Doc], *kinds: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") in kinds]


def named(docs: list[Doc], kind: str, name: str) -> Doc | None:
    return next((d for d in of_kind(docs, kind) if d["metadata"]["name"] == name), None)


def label_of(doc: Doc, key: str) -> str | None:
    value: str | None = doc["metadata"].get("labels", {}).get(key)
    return value


def is_ses_server(doc: Doc) -> bool:
    return doc["kind"] == "Deployment" and any(
        port.get("name") == "grpc"
        for container in pod_spec(doc)["containers"]
        for port in container.get("ports", [])
    )


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


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def ident(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def quantity_bytes(value: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    match = re.fullmatch(r"(\d+)([KMG]i?)?", str(value))
    assert match, f"unreadable memory quantity {value!r}"
    return int(match.group(1)) * units.get(match.group(2) or "", 1)


def read_env_file(path: Path) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value
    return pairs


# --- every file ------------------------------------------------------------------------


def test_every_yaml_document_is_a_named_kubernetes_object() -> None:
    problems = []
    for path in yaml_files():
        try:
            docs = load(path).docs
        except yaml.YAMLError as error:
            problems.append(f"{path}: not parseable YAML: {error}")
            continue
        if not docs:
            problems.append(f"{path}: holds no document")
        for doc in docs:
            where = path.relative_to(DEPLOY)
            if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind"):
                problems.append(f"{where}: a document without apiVersion and kind")
            elif doc["kind"] not in KUSTOMIZATION_KINDS and not doc.get("metadata", {}).get("name"):
                problems.append(f"{where}: {doc['kind']} without metadata.name")
    assert not problems, "\n".join(problems)


def test_every_path_a_kustomization_names_exists() -> None:
    problems = []
    for path in kustomizations():
        spec = load(path).docs[0]
        folder = path.parent
        where = path.relative_to(DEPLOY)
        for entry in spec.get("resources", []):
            target = folder / entry
            if not (target.is_file() or (target / "kustomization.yaml").is_file()):
                problems.append(f"{where}: resource {entry} is neither a file nor a kustomization")
        for entry in spec.get("components", []):
            component = folder / entry / "kustomization.yaml"
            if not component.is_file() or load(component).docs[0].get("kind") != "Component":
                problems.append(f"{where}: component {entry} is not a kustomize Component")
        for patch in spec.get("patches", []):
            if "path" in patch and not (folder / patch["path"]).is_file():
                problems.append(f"{where}: patch {patch['path']} does not exist")
        for generator in spec.get("configMapGenerator", []) + spec.get("secretGenerator", []):
            for entry in generator.get("envs", []) + generator.get("files", []):
                if not (folder / entry.rpartition("=")[2]).is_file():
                    problems.append(f"{where}: generator input {entry} does not exist")
    assert not problems, "\n".join(problems)


def test_every_manifest_file_is_used_by_a_kustomization() -> None:
    referenced: set[Path] = set()
    for path in kustomizations():
        for entry in load(path).docs[0].get("resources", []):
            referenced.add((path.parent / entry).resolve())
    orphans = [p.relative_to(DEPLOY) for p in resource_files() if p.resolve() not in referenced]
    assert not orphans, f"manifests no kustomization includes: {orphans}"


def test_the_secret_template_is_never_applied_by_kustomize() -> None:
    for path in kustomizations():
        spec = load(path).docs[0]
        listed = spec.get("resources", []) + [p.get("path", "") for p in spec.get("patches", [])]
        assert not any("example" in entry for entry in listed), f"{path} includes a template"


# --- workloads -------------------------------------------------------------------------


def workload_problems(workload: Doc) -> list[str]:
    problems = []
    spec = pod_spec(workload)
    pod_security = spec.get("securityContext", {})
    name = ident(workload)
    if spec.get("automountServiceAccountToken") is not False:
        problems.append(f"{name}: automountServiceAccountToken must be false")
    if spec.get("terminationGracePeriodSeconds", 30) < MIN_TERMINATION_GRACE:
        problems.append(f"{name}: terminationGracePeriodSeconds below {MIN_TERMINATION_GRACE}")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for container in containers(workload):
        where = f"{name} container {container['name']}"
        security = container.get("securityContext", {})

        def effective(key: str, security: Doc = security) -> Any:
            return security.get(key, pod_security.get(key))

        if effective("runAsNonRoot") is not True:
            problems.append(f"{where}: runAsNonRoot must be true")
        if effective("runAsUser") != SES_UID:
            problems.append(f"{where}: runAsUser must be {SES_UID}")
        if (effective("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: seccompProfile must be RuntimeDefault")
        if security.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{where}: readOnlyRootFilesystem must be true")
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: allowPrivilegeEscalation must be false")
        if security.get("privileged"):
            problems.append(f"{where}: must not be privileged")
        capabilities = security.get("capabilities", {})
        if "ALL" not in capabilities.get("drop", []) or capabilities.get("add"):
            problems.append(f"{where}: must drop ALL capabilities and add none")
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in resources.get(bound, {}):
                    problems.append(f"{where}: no {resource} {bound}")
        image: str = container.get("image", "")
        last = image.rsplit("/", 1)[-1]
        if "@sha256:" not in last and (":" not in last or last.endswith(":latest")):
            problems.append(f"{where}: image {image!r} is not pinned to a tag or digest")
        tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
            problems.append(f"{where}: /tmp must be an emptyDir (the root filesystem is read-only)")
    return problems


def test_every_workload_runs_locked_down_with_resources_and_a_pinned_image(
    objects: list[Doc],
) -> None:
    workloads = of_kind(objects, "Deployment", "Job")
    assert workloads
    problems = [p for w in workloads for p in workload_problems(w)]
    assert not problems, "\n".join(problems)


def test_every_ses_server_has_grpc_probes_on_its_grpc_port(objects: list[Doc]) -> None:
    servers = [d for d in of_kind(objects, "Deployment") if is_ses_server(d)]
    assert {d["metadata"]["name"] for d in servers} == set(SERVICES)
    problems = []
    for deployment in servers:
        (server,) = pod_spec(deployment)["containers"]
        port = next(p["containerPort"] for p in server["ports"] if p["name"] == "grpc")
        for probe in ("livenessProbe", "readinessProbe"):
            grpc = server.get(probe, {}).get("grpc")
            if not grpc or grpc.get("port") != port:
                problems.append(f"{ident(deployment)}: {probe} must be gRPC on port {port}")
    assert not problems, "\n".join(problems)


def test_other_deployments_have_liveness_and_readiness_probes(objects: list[Doc]) -> None:
    for deployment in of_kind(objects, "Deployment"):
        for container in pod_spec(deployment)["containers"]:
            assert "livenessProbe" in container, ident(deployment)
            assert "readinessProbe" in container, ident(deployment)


def test_servers_outlast_the_grpc_shutdown_grace(objects: list[Doc]) -> None:
    grace = float(read_env_file(BASE / "ses-config.env")["SES_GRPC__SHUTDOWN_GRACE_SECONDS"])
    for deployment in filter(is_ses_server, of_kind(objects, "Deployment")):
        (server,) = pod_spec(deployment)["containers"]
        pre_stop = server.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command")
        delay = float(pre_stop[-1]) if pre_stop and pre_stop[0] == "sleep" else 0.0
        allowed = pod_spec(deployment)["terminationGracePeriodSeconds"]
        assert allowed > grace + delay, (
            f"{ident(deployment)}: SIGKILL after {allowed}s cuts the {grace}s drain short"
        )


def test_servers_refuse_an_old_schema_and_each_has_its_migration_job(
    objects: list[Doc],
) -> None:
    jobs = of_kind(objects, "Job")
    for deployment in filter(is_ses_server, of_kind(objects, "Deployment")):
        service = deployment["metadata"]["name"]
        (server,) = pod_spec(deployment)["containers"]
        assert server["args"] == ["serve", service, "--no-migrate"], ident(deployment)
        migrations = [
            j for j in jobs if pod_spec(j)["containers"][0].get("args") == ["migrate", service]
        ]
        assert len(migrations) == 1, f"{service}: expected one `ses migrate {service}` Job"
        (job,) = migrations
        assert pod_spec(job)["restartPolicy"] in {"Never", "OnFailure"}
        assert not selects(deployment["spec"]["selector"]["matchLabels"], pod_labels(job)), (
            f"{ident(deployment)} would adopt the migration pods of {ident(job)}"
        )


def test_files_memory_limit_keeps_uploads_within_budget(objects: list[Doc]) -> None:
    files = named(objects, "Deployment", "files")
    assert files is not None
    (server,) = pod_spec(files)["containers"]
    assert quantity_bytes(server["resources"]["limits"]["memory"]) <= FILES_MEMORY_LIMIT_MAX


# --- Services, ServiceAccounts, disruption budgets -------------------------------------


def test_every_deployment_has_its_service_and_service_account(objects: list[Doc]) -> None:
    problems = []
    for deployment in of_kind(objects, "Deployment"):
        name = deployment["metadata"]["name"]
        labels = pod_labels(deployment)
        if not selects(deployment["spec"]["selector"]["matchLabels"], labels):
            problems.append(f"{ident(deployment)}: its selector does not match its pods")
        service = named(objects, "Service", name)
        if service is None or not selects(service["spec"].get("selector", {}), labels):
            problems.append(f"{ident(deployment)}: no Service {name} selecting its pods")
        elif is_ses_server(deployment):
            ports = service["spec"]["ports"]
            if service["spec"].get("type", "ClusterIP") != "ClusterIP" or not any(
                p["name"] == "grpc" and p.get("appProtocol") == "grpc" for p in ports
            ):
                problems.append(f"Service/{name}: must be ClusterIP with a grpc port")
        account = named(objects, "ServiceAccount", name)
        if pod_spec(deployment).get("serviceAccountName") != name or account is None:
            problems.append(f"{ident(deployment)}: must run as ServiceAccount {name}")
        elif account.get("automountServiceAccountToken") is not False:
            problems.append(f"ServiceAccount/{name}: automountServiceAccountToken must be false")
    for job in of_kind(objects, "Job"):
        account = named(objects, "ServiceAccount", pod_spec(job).get("serviceAccountName", ""))
        if account is None:
            problems.append(f"{ident(job)}: its ServiceAccount is not in the manifests")
    assert not problems, "\n".join(problems)


def test_services_never_route_to_migration_pods(objects: list[Doc]) -> None:
    for service in of_kind(objects, "Service"):
        for job in of_kind(objects, "Job"):
            assert not selects(service["spec"].get("selector", {}), pod_labels(job)), (
                f"{ident(service)} selects the pods of {ident(job)}"
            )


def test_every_replicated_server_has_a_disruption_budget(objects: list[Doc]) -> None:
    budgets = of_kind(objects, "PodDisruptionBudget")
    for deployment in filter(is_ses_server, of_kind(objects, "Deployment")):
        assert deployment["spec"].get("replicas", 1) >= 2, ident(deployment)
        assert any(
            selects(b["spec"]["selector"]["matchLabels"], pod_labels(deployment)) for b in budgets
        ), f"{ident(deployment)}: no PodDisruptionBudget covers it"


# --- configuration ---------------------------------------------------------------------


def known_variables(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> set[str]:
    names: set[str] = set()
    for field_name, field in model.model_fields.items():
        loc = (*prefix, field_name)
        names.add(env_name(loc))
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            names |= known_variables(field.annotation, loc)
    return names


def ses_config_variants() -> Iterator[tuple[str, dict[str, str]]]:
    yield "deploy/base/ses-config.env", read_env_file(BASE / "ses-config.env")
    if shutil.which("kubectl"):
        for root in kustomize_roots():
            for config_map in of_kind(list(rendered(root)), "ConfigMap"):
                if config_map["metadata"]["name"].startswith("ses-config"):
                    yield f"rendered {root.relative_to(DEPLOY)}", config_map["data"]


def test_shared_configuration_names_only_real_settings_and_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = known_variables(Settings)
    for where, data in ses_config_variants():
        unknown = sorted(set(data) - known)
        assert not unknown, f"{where}: not SES settings (misspelt?): {unknown}"
        with monkeypatch.context() as env:
            for variable in [v for v in os.environ if v.upper().startswith("SES_")]:
                env.delenv(variable)
            for key, value in data.items():
                env.setenv(key, value)
            settings = load_settings()
        assert settings.grpc.host == "0.0.0.0", where
        assert settings.nats.url, f"{where}: an empty NATS URL would start an embedded broker"
        assert settings.files.blob_store == "s3", where
        assert settings.notify.mail_transport == "smtp", where
        assert settings.identity.trust_source in {"oidc", "local"}, where
        if settings.identity.trust_source == "local":
            assert str(settings.identity.signing_key_path).startswith("/etc/ses/"), (
                f"{where}: a local key ring must be the shared Secret, not a per-pod file"
            )


def test_enrollment_configuration_names_only_enrollment_settings_and_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ses_enrollment.settings import ENV_PREFIX, EnrollmentSettings, load_enrollment_settings

    data = read_env_file(BASE / "enrollment-config.env")
    known = {ENV_PREFIX + name.upper() for name in EnrollmentSettings.model_fields}
    assert set(data) <= known, f"not enrollment settings: {sorted(set(data) - known)}"
    for key, value in data.items():
        monkeypatch.setenv(key, value)
    settings = load_enrollment_settings()
    assert settings.activation_link_base.startswith("https://")


def test_production_exports_telemetry_and_trusts_an_oidc_issuer() -> None:
    docs = list(rendered(DEPLOY / "overlays" / "production"))
    (config,) = [c for c in of_kind(docs, "ConfigMap") if c["metadata"]["name"].startswith("ses-")]
    assert config["data"]["SES_TELEMETRY__EXPORTER"] == "otlp"
    assert config["data"]["SES_TELEMETRY__OTLP_ENDPOINT"].endswith(":4317")
    assert config["data"]["SES_IDENTITY__OIDC_ISSUER"].startswith("https://")
    assert named(docs, "NetworkPolicy", "default-deny-all") is not None
    assert named(docs, "Deployment", "otel-collector") is not None
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "ses", f"{ident(doc)} is not in ses"


# --- the Secret template ---------------------------------------------------------------

PLACEHOLDER = re.compile(r"<[^<>]+>")
REAL_LOOKING = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"[A-Za-z0-9+/_=-]{32,}"),
]


def test_the_secret_template_holds_only_placeholders() -> None:
    secrets = load(EXAMPLE_SECRETS).docs
    names = {s["metadata"]["name"] for s in secrets}
    assert {"ses-database", "ses-file-grants", "ses-s3", "ses-smtp", "ses-signing-keys"} <= names
    for secret in secrets:
        assert secret["kind"] == "Secret"
        assert "data" not in secret, f"{ident(secret)}: write placeholders in stringData only"
        for key, value in secret["stringData"].items():
            where = f"{ident(secret)} {key}"
            assert PLACEHOLDER.search(value), f"{where}: holds no <placeholder>"
            bare = PLACEHOLDER.sub("", value)
            for pattern in REAL_LOOKING:
                assert not pattern.search(bare), f"{where}: looks like a real secret"
            password = re.search(r"://[^:/@]+:([^@]*)@", value)
            assert password is None or PLACEHOLDER.fullmatch(password.group(1)), where


def test_the_secret_template_covers_every_secret_the_workloads_reference() -> None:
    provided = {
        (s["metadata"]["name"], key) for s in load(EXAMPLE_SECRETS).docs for key in s["stringData"]
    }
    names = {name for name, _ in provided}
    docs = objects_in_files() + [doc for path in patch_files() for doc in load(path).docs]
    for workload in of_kind(docs, "Deployment", "Job"):
        spec = pod_spec(workload)
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                assert volume["secret"]["secretName"] in names, ident(workload)
        for container in spec.get("containers", []):
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in names, ident(workload)
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert (ref["name"], ref["key"]) in provided, ident(workload)
