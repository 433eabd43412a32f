"""Pydantic input models: the shape of spec/system.yaml as a person writes it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
CPU = r"^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$"
MEMORY = r"^[1-9][0-9]*(Ki|Mi|Gi|Ti)$"
TAG = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
IMAGE = r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$"
DIGEST = r"^sha256:[a-f0-9]{64}$"
DURATION = r"^[1-9][0-9]*(h|d|w|y)$"
PATH = r"^/[A-Za-z0-9._/-]*$"
ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"

Name = Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=63)]
Cpu = Annotated[str, StringConstraints(pattern=CPU)]
Memory = Annotated[str, StringConstraints(pattern=MEMORY)]
Tag = Annotated[str, StringConstraints(pattern=TAG)]
Image = Annotated[str, StringConstraints(pattern=IMAGE, max_length=255)]
Digest = Annotated[str, StringConstraints(pattern=DIGEST)]
AbsolutePath = Annotated[str, StringConstraints(pattern=PATH, max_length=253)]
Port = Annotated[int, Field(ge=1, le=65535)]
Percent = Annotated[int, Field(ge=1, le=100)]
Replicas = Annotated[int, Field(ge=1, le=1000)]
Window = Annotated[int, Field(ge=0, le=3600)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class Model(BaseModel):
    """Base of every input model: strict types, unknown keys refused, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Resources(Model):
    """CPU and memory a container requests; limits default to the requests."""

    cpu: Cpu | None = Field(None, description="CPU request, e.g. 250m or 1")
    memory: Memory | None = Field(None, description="Memory request, e.g. 256Mi")
    cpu_limit: Cpu | None = Field(None, description="CPU limit; defaults to the request")
    memory_limit: Memory | None = Field(None, description="Memory limit; defaults to the request")


class AutoscalingDefaults(Model):
    """HPA behaviour shared by every autoscaled component."""

    scale_up_window: Window = Field(0, description="Scale-up stabilization window in seconds")
    scale_down_window: Window = Field(300, description="Scale-down stabilization window in seconds")


class Autoscaling(Model):
    """A HorizontalPodAutoscaler on CPU utilisation."""

    min: Replicas = Field(description="Minimum replicas")
    max: Replicas = Field(description="Maximum replicas")
    cpu: Percent = Field(description="Target average CPU utilisation in percent of the request")


class AutoscalingOverride(Model):
    """Environment changes to a component's autoscaling."""

    min: Replicas | None = None
    max: Replicas | None = None
    cpu: Percent | None = None


class SecretRef(Model):
    """An environment variable read from a key of a Kubernetes Secret; the value never lives here."""

    secret: Name = Field(description="Name of the Secret in the namespace")
    key: Annotated[str, StringConstraints(pattern=r"^[-._a-zA-Z0-9]+$", max_length=253)]
    env: Annotated[str, StringConstraints(pattern=ENV_NAME, max_length=128)]


class Storage(Model):
    """A persistent volume per replica of a StatefulSet."""

    size: Memory = Field(description="Requested capacity, e.g. 10Gi")
    path: AbsolutePath = Field(description="Mount path inside the container")
    storage_class: Name | None = Field(None, description="StorageClass; the cluster default when unset")


class Component(Model):
    """One workload: a Deployment, or a StatefulSet when it has storage."""

    name: Name = Field(description="DNS-1123 name; also the name of its Service and labels")
    description: Text | None = None
    image: Image | None = Field(None, description="Image repository; defaults to <registry>/<name>")
    tag: Tag | None = Field(None, description="Image tag; defaults to the system tag")
    digest: Digest | None = Field(None, description="Pin the image to this digest")
    port: Port | None = Field(None, description="Container and Service port; defaults to defaults.port")
    probe: Literal["http", "tcp"] = Field("http", description="Health check kind")
    health: AbsolutePath | None = Field(None, description="HTTP health path; defaults to defaults.health")
    replicas: Replicas | None = Field(None, description="Fixed replica count; not with autoscaling")
    autoscaling: Autoscaling | None = None
    resources: Resources | None = None
    storage: Storage | None = Field(None, description="Makes the component a StatefulSet")
    talks_to: list[Name] = Field([], description="Components this one opens connections to")
    secrets: list[SecretRef] = []
    writable: list[AbsolutePath] = Field(
        ["/tmp"], description="Writable paths, each a size-limited emptyDir; the root is read-only"
    )


class Layer(Model):
    """A numbered layer of the system; compiled to out/base/layer-<number>.yaml."""

    number: Annotated[int, Field(ge=1, le=99)]
    name: Name
    description: Text | None = None
    hot_path: bool = Field(False, description="On the market-data hot path: Guaranteed QoS, high priority")
    components: Annotated[list[Component], Field(min_length=1)]


class System(Model):
    """The system as a whole."""

    name: Name
    namespace: Name = Field(description="Namespace of the base")
    registry: Image = Field(description="Image registry and path prefix for the system's own images")
    tag: Tag = Field(description="Default image tag of the system's own images")


class Defaults(Model):
    """Values every component inherits unless it says otherwise."""

    port: Port = 8080
    health: AbsolutePath = "/healthz"
    resources: Resources = Resources(cpu="100m", memory="128Mi")
    autoscaling: AutoscalingDefaults = AutoscalingDefaults()


class ObservedTool(Model):
    """An observability tool's image."""

    image: Image
    tag: Tag
    digest: Digest | None = None
    resources: Resources | None = None


class Prometheus(ObservedTool):
    """Prometheus server settings."""

    retention: Annotated[str, StringConstraints(pattern=DURATION)] = "15d"
    storage: Memory = "20Gi"


class Observability(Model):
    """The observability stack."""

    prometheus: Prometheus
    grafana: ObservedTool
    otel_collector: ObservedTool


class ComponentOverride(Model):
    """What an environment may change in a component."""

    replicas: Replicas | None = None
    autoscaling: AutoscalingOverride | None = None
    resources: Resources | None = None
    tag: Tag | None = None


class Environment(Model):
    """A deployment target; compiled to out/overlays/<name>/."""

    namespace: Name
    tag: Tag | None = Field(None, description="Image tag of the system's own images here")
    components: dict[Name, ComponentOverride] = {}


class Spec(Model):
    """The whole spec file."""

    system: System
    defaults: Defaults = Defaults()
    layers: Annotated[list[Layer], Field(min_length=1)]
    observability: Observability
    environments: dict[Name, Environment] = {}
