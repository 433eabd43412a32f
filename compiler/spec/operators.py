"""Input models of the operators an environment's cluster already runs: cert-manager, External Secrets,
the Gateway API and the Prometheus Operator."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# Whole hours: what a certificate's lifetime is counted in, e.g. 2160h (90 days).
HOURS = r"^[1-9][0-9]*h$"
# A refresh interval: seconds, minutes or hours.
INTERVAL = r"^[1-9][0-9]*(s|m|h)$"
# A key in the secret manager: a path of names, e.g. nifty50/prod/broker-api.
REMOTE_KEY = r"^[A-Za-z0-9_.][A-Za-z0-9_./:-]{0,252}$"

Name = Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=63)]
Hours = Annotated[str, StringConstraints(pattern=HOURS)]
Interval = Annotated[str, StringConstraints(pattern=INTERVAL)]
RemoteKey = Annotated[str, StringConstraints(pattern=REMOTE_KEY)]
# A Gateway API duration (GEP-2257): up to four numbers with units, e.g. 1h or 3600s.
GATEWAY_DURATION = r"^([0-9]{1,5}(h|m|s|ms)){1,4}$"
GatewayDuration = Annotated[str, StringConstraints(pattern=GATEWAY_DURATION)]
# A Kubernetes label: an optional DNS prefix and a name; a value of up to 63 characters.
LABEL_KEY = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"
Labels = dict[
    Annotated[str, StringConstraints(pattern=LABEL_KEY, max_length=317)],
    Annotated[str, StringConstraints(pattern=LABEL_VALUE, max_length=63)],
]


class OperatorModel(BaseModel):
    """Base of these models: strict types, unknown keys refused, immutable (as spec/model.py's)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)


class IssuerRef(OperatorModel):
    """The cert-manager issuer that signs the environment's certificates."""

    kind: Literal["ClusterIssuer", "Issuer"] = Field(
        description="ClusterIssuer, or an Issuer of the namespace"
    )
    name: Name = Field(description="Name of the issuer")


class CertManager(OperatorModel):
    """cert-manager makes the TLS Secret of every public host: one Certificate per Secret."""

    issuer: IssuerRef = Field(description="The issuer that signs the certificates")
    duration: Hours = Field("2160h", description="Lifetime of a certificate in hours (90 days by default)")
    renew_before: Hours = Field("720h", description="How long before expiry it is renewed; under duration")


class StoreRef(OperatorModel):
    """The External Secrets store the environment's Secrets are read from."""

    kind: Literal["ClusterSecretStore", "SecretStore"] = Field(
        description="ClusterSecretStore, or a SecretStore of the namespace"
    )
    name: Name = Field(description="Name of the store")


class ExternalSecrets(OperatorModel):
    """External Secrets makes every Secret the components reference: one ExternalSecret per Secret."""

    store: StoreRef = Field(description="The store the values come from")
    refresh: Interval = Field("1h", description="How often the values are read again, e.g. 1h")
    remote_keys: dict[Name, RemoteKey] = Field(
        description="The store's key of each Secret, by Secret name; each key of a Secret is a property of it"
    )


class Gateway(OperatorModel):
    """The Gateway (Gateway API) the public hosts attach to: HTTPRoutes in place of Ingresses."""

    name: Name = Field(description="Name of the Gateway")
    namespace: Name = Field(description="Namespace of the Gateway; its pods' traffic is admitted")
    section: Name = Field(description="The Gateway's listener the routes attach to (sectionName)")
    timeouts: dict[Name, GatewayDuration] = Field(
        {}, description="Request timeout of a public component's route, by component, e.g. 1h for WebSockets"
    )


class PrometheusOperator(OperatorModel):
    """The cluster's Prometheus Operator in place of the tree's own Prometheus, Alertmanager and Grafana."""

    namespace: Name = Field(
        description="Namespace of its Prometheus and Alertmanager; their pods' traffic is admitted"
    )
    labels: Labels = Field(
        description="Labels its selectors pick the objects by, e.g. release: kube-prometheus-stack"
    )
    dashboard_labels: Labels = Field(
        {"grafana_dashboard": "1"}, description="Labels Grafana's sidecar loads dashboard ConfigMaps by"
    )
