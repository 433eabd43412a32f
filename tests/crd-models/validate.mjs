// Validate objects of other projects' CRDs with the @kubernetes-models validators, in one process.
//
// stdin: a JSON array of objects. stdout: a JSON array, per object the list of its problems (empty
// when valid). The validators (ajv, generated from each project's Go API types) let unknown fields
// through, so every field is also probed: swapped for a value of another JSON type, a field the
// schema knows fails at its own path; one that still validates is unknown to the schema.

import { readFileSync } from "node:fs";

// API group -> the package that holds its models.
const PACKAGES = {
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "external-secrets.io": "@kubernetes-models/external-secrets",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "postgresql.cnpg.io": "@kubernetes-models/cloudnative-pg",
};

const models = new Map();

async function model(apiVersion, kind) {
  const [group, version] = String(apiVersion).split("/");
  const pkg = PACKAGES[group];
  if (!pkg || !version) return null;
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    try {
      const module = await import(`${pkg}/${group}/${version}/${kind}`);
      models.set(key, module[kind] ?? null);
    } catch {
      models.set(key, null);
    }
  }
  return models.get(key);
}

function errorsOf(Model, obj) {
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return err.errors ?? [{ instancePath: "", message: String(err) }];
  }
}

function pointer(path) {
  return path.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

// A value of another JSON type than value: the schema of a known field refuses it.
function otherType(value) {
  return value !== null && typeof value === "object" ? 0.5 : { probe: true };
}

function* fields(value, path = []) {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* fields(item, [...path, i]);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      yield [...path, key];
      yield* fields(item, [...path, key]);
    }
  }
}

function replaced(obj, path, value) {
  const copy = structuredClone(obj);
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step];
  node[path[path.length - 1]] = value;
  return copy;
}

function valueAt(obj, path) {
  return path.reduce((node, step) => node[step], obj);
}

function unknownFields(Model, obj) {
  const found = [];
  for (const path of fields(obj)) {
    if (path.length === 1 && (path[0] === "apiVersion" || path[0] === "kind")) continue;
    const where = pointer(path);
    const errors = errorsOf(Model, replaced(obj, path, otherType(valueAt(obj, path))));
    if (!errors.some((e) => e.instancePath === where || e.instancePath.startsWith(where + "/"))) {
      found.push(`${where}: a field the schema does not know`);
    }
  }
  return found;
}

// An AlertmanagerConfig's child routes are schemaless JSON in its CRD (x-kubernetes-preserve-unknown-
// fields); the operator reads each as a Route, so each is checked as the top route of a copy.
async function routeProblems(obj) {
  const routes = obj?.spec?.route?.routes;
  if (obj?.kind !== "AlertmanagerConfig" || !Array.isArray(routes)) return null;
  const top = structuredClone(obj);
  delete top.spec.route.routes;
  const found = await problems(top);
  for (const [i, child] of routes.entries()) {
    const alone = structuredClone(obj);
    alone.spec.route = child;
    for (const problem of await problems(alone)) {
      if (problem.startsWith("/spec/route")) {
        found.push(problem.replace("/spec/route", `/spec/route/routes/${i}`));
      }
    }
  }
  return found;
}
// No package carries the Barman Cloud plugin's ObjectStore (barmancloud.cnpg.io/v1). Its spec's
// configuration and retentionPolicy are the types that a Cluster's in-tree spec.backup has as
// barmanObjectStore and retentionPolicy (both from barman-cloud's pkg/api), so the spec is checked as
// CloudNativePG's BackupConfiguration; tests/crds.py checks the rest of the object.
async function objectStoreProblems(obj) {
  if (obj?.apiVersion !== "barmancloud.cnpg.io/v1" || obj?.kind !== "ObjectStore") return null;
  const { BackupConfiguration } = await import(
    "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/BackupConfiguration"
  );
  const spec = obj.spec ?? {};
  const data = { barmanObjectStore: spec.configuration };
  if ("retentionPolicy" in spec) data.retentionPolicy = spec.retentionPolicy;
  const errors = errorsOf(BackupConfiguration, data);
  const found = errors.length
    ? errors.map((e) => `${e.instancePath || "/"}: ${e.message} ${JSON.stringify(e.params ?? {})}`)
    : unknownFields(BackupConfiguration, data);
  return found.map((problem) =>
    problem.replace(/^\/barmanObjectStore/, "/spec/configuration").replace(/^\/retentionPolicy/, "/spec/retentionPolicy"),
  );
}

async function problems(obj) {
  const split = await routeProblems(obj);
  if (split) return split;
  const store = await objectStoreProblems(obj);
  if (store) return store;
  const Model = await model(obj?.apiVersion, obj?.kind);
  if (!Model) return [`no model for ${obj?.apiVersion} ${obj?.kind}`];
  const errors = errorsOf(Model, obj);
  if (errors.length) return errors.map((e) => `${e.instancePath || "/"}: ${e.message} ${JSON.stringify(e.params ?? {})}`);
  return unknownFields(Model, obj);
}

const objects = JSON.parse(readFileSync(0, "utf8"));
const report = [];
for (const obj of objects) report.push(await problems(obj));
process.stdout.write(JSON.stringify(report));
