"""The Kubernetes manifests under deploy/ keep the platform's deployment rules.

Every rule is checked on the YAML files as written (PyYAML only) and on what
``kubectl kustomize`` renders for the base, each overlay and each component on top of the
base (``deploy_support``), so that a patch or a component cannot quietly undo a rule. The
rendered half is skipped where kubectl is not installed. No cluster is needed. Gateway
routes, autoscaling, network policies and the backend components have their own modules
beside this one.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_support import (
    BASE,
    DEPLOY,
    EXAMPLE_SECRETS,
    KUSTOMIZATION_KINDS,
    PRODUCTION,
    Doc,
    containers,
    ident,
    included_components,
    is_ses_server,
    kustomization,
    kustomizations,
    kustomize_roots,
    load,
    named,
    objects_in_files,
    of_kind,
    patch_files,
    pod_labels,
    pod_spec,
    quantity_bytes,
    read_env_file,
    render,
    render_sources,
    rendered,
    resource_files,
    selects,
    ses_config,
    yaml_files,
)
from pydantic import BaseModel

from ses_core.platform.settings import SERVICES, Settings, env_name, load_settings

SES_UID = 10001
MIN_TERMINATION_GRACE = 35
FILES_MEMORY_LIMIT_MAX = 512 * 2**20
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")

SOURCES = ["files", *render_sources()]


@pytest.fixture(params=SOURCES)
def objects(request: pytest.FixtureRequest) -> list[Doc]:
    source: str = request.param
    if source == "files":
        return objects_in_files()
    return render(source)


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
    workloads = of_kind(objects, *WORKLOAD_KINDS)
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


def test_other_long_running_workloads_have_liveness_and_readiness_probes(
    objects: list[Doc],
) -> None:
    for deployment in of_kind(objects, "Deployment", "StatefulSet"):
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


DIGEST_PINNED = re.compile(r"@sha256:[0-9a-f]{64}$")


def test_production_runs_the_ses_image_pinned_by_digest() -> None:
    """A tag can be moved to another image; a digest cannot. The release pipeline writes
    the digest it pushed (deploy/README.md, "Upgrades")."""
    (ses_image,) = [i for i in kustomization(PRODUCTION)["images"] if i["name"] == "ses"]
    repository = ses_image["newName"]
    docs = list(rendered(PRODUCTION))
    ses_containers = [
        (ident(workload), container["image"])
        for workload in of_kind(docs, *WORKLOAD_KINDS)
        for container in containers(workload)
        if container["image"].startswith(f"{repository}:")
        or container["image"].startswith(f"{repository}@")
    ]
    servers_and_jobs = of_kind(docs, "Job") + [
        d for d in of_kind(docs, "Deployment") if is_ses_server(d)
    ]
    assert len(ses_containers) == len(servers_and_jobs) == 2 * len(SERVICES)
    unpinned = [
        f"{where}: {image}" for where, image in ses_containers if not DIGEST_PINNED.search(image)
    ]
    assert not unpinned, "\n".join(unpinned)


def test_an_overlay_never_sets_what_its_components_set() -> None:
    """Kustomize applies a component's configMapGenerator merge after the overlay's own, so
    a setting both write would silently keep the component's value."""
    problems = []
    for overlay in kustomize_roots()[1:]:
        overlay_keys: set[str] = set()
        for generator in kustomization(overlay).get("configMapGenerator", []):
            for env in generator.get("envs", []):
                overlay_keys |= set(read_env_file(overlay / env))
            overlay_keys |= {literal.partition("=")[0] for literal in generator.get("literals", [])}
        for component in included_components(overlay):
            for generator in kustomization(component).get("configMapGenerator", []):
                component_keys = {
                    literal.partition("=")[0] for literal in generator.get("literals", [])
                }
                for key in sorted(component_keys & overlay_keys):
                    problems.append(f"{overlay.name} sets {key}, which {component.name} overrides")
    assert not problems, "\n".join(problems)


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


def test_every_replicated_workload_has_a_disruption_budget(objects: list[Doc]) -> None:
    """The PodDisruptionBudgets stay beside the autoscalers: every SES server, every
    replicated gateway and the NATS servers keep all but one pod through a node drain."""
    budgets = of_kind(objects, "PodDisruptionBudget")
    replicated = [
        *filter(is_ses_server, of_kind(objects, "Deployment")),
        *[d for d in of_kind(objects, "Deployment") if d["metadata"]["name"] == "grpc-gateway"],
        *of_kind(objects, "StatefulSet"),
    ]
    for deployment in replicated:
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
        for source in render_sources():
            yield source, ses_config(render(source))


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
    docs = list(rendered(PRODUCTION))
    config = ses_config(docs)
    assert config["SES_TELEMETRY__EXPORTER"] == "otlp"
    assert config["SES_TELEMETRY__OTLP_ENDPOINT"].endswith(":4317")
    assert config["SES_IDENTITY__OIDC_ISSUER"].startswith("https://")
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
