"""Argo CD's health checks for the kinds it has none for: Lua in argocd-cm, as a patch the tree ships."""

from __future__ import annotations

from typing import Any

from compiler.render.redis import REDIS_GROUP

# Argo CD's key for a kind's health check in argocd-cm: resource.customizations.health.<group>_<kind>.
HEALTH_KEY = "resource.customizations.health.{group}_{kind}"
PATCH_FILE = "argocd-cm-patch.yaml"

# A RedisReplication's status has no conditions: the operator writes connectionInfo and the master's
# pod (masterNode) once it has reconciled the Sentinels and the Redis pods, which it does only when
# both StatefulSets are ready, and it leaves masterNode empty when it finds no master.
REDIS_REPLICATION_HEALTH = """\
local hs = {}
if obj.status == nil or obj.status.connectionInfo == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator: the Sentinels and the Redis pods are not all ready yet"
  return hs
end
if obj.status.masterNode == nil or obj.status.masterNode == "" then
  hs.status = "Degraded"
  hs.message = "The operator finds no Redis master"
  return hs
end
if obj.spec.sentinel ~= nil and (obj.status.connectionInfo.masterName == nil
    or obj.status.connectionInfo.masterName == "") then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to hand the master to the Sentinels"
  return hs
end
hs.status = "Healthy"
hs.message = "Master " .. obj.status.masterNode
return hs
"""

HEALTH_CHECKS = {(REDIS_GROUP, "RedisReplication"): REDIS_REPLICATION_HEALTH}


def health_patch(kinds: set[tuple[str, str]]) -> dict[str, Any] | None:
    """The merge patch of argocd-cm with a health check for each (group, kind) the tree emits, if any."""
    data = {
        HEALTH_KEY.format(group=group, kind=kind): script
        for (group, kind), script in sorted(HEALTH_CHECKS.items())
        if (group, kind) in kinds
    }
    return {"data": data} if data else None
