"""Every built-in Kubernetes object the manifests render is valid against the API schemas.

``kubectl kustomize`` only renders: it checks no field. ``kubernetes-validate`` carries the
OpenAPI schemas of each Kubernetes release, so the check runs offline, strictly (an unknown
field, a typo such as ``containerport``, fails). The version is the oldest one the
deployment supports (deploy/README.md): a field newer than that would break on it.

Custom resources (Gateway API routes, CloudNativePG ``Cluster``, KEDA ``ScaledObject``,
the S3 ``Bucket``) have no schema in that package; their shape is checked by the
component tests beside this one, and here they are only counted, so that a built-in kind
cannot slip through as "custom".
"""

from __future__ import annotations

import kubernetes_validate
import pytest
from deploy_support import Doc, render, render_sources

KUBERNETES_VERSION = "1.30.0"
CUSTOM_API_GROUPS = (
    "gateway.networking.k8s.io",
    "postgresql.cnpg.io",
    "keda.sh",
    "s3.services.k8s.aws",
    "iam.services.k8s.aws",
    "kustomize.config.k8s.io",
)


def is_custom(doc: Doc) -> bool:
    group = str(doc.get("apiVersion", "")).partition("/")[0]
    return group in CUSTOM_API_GROUPS


@pytest.mark.parametrize("source", render_sources())
def test_every_rendered_builtin_object_matches_the_kubernetes_schema(source: str) -> None:
    problems = []
    for doc in render(source):
        if is_custom(doc):
            continue
        name = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(dict(doc), KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{name}: {error.message} at {'/'.join(map(str, error.path))}")
        except kubernetes_validate.SchemaNotFoundError:
            problems.append(
                f"{name}: no schema for {doc.get('apiVersion')} in {KUBERNETES_VERSION}"
            )
    assert problems == []
