// Checks Kubernetes objects against the API's schemas, offline: the rendered YAML on standard input, one line per
// invalid object on standard error, exit status 1 if there was one (0 otherwise, with a count on standard output).
//
//   kubectl kustomize infra/k8s/overlays/production | node infra/k8s/validate-schemas.mjs
//
// The schemas are those of the Kubernetes OpenAPI, as the kubernetes-models package ships them (types, required
// fields, enums, formats). Like the API server's, they accept fields they do not know: the policy checks of
// infra/k8s/manifests.spec.ts look for the fields that matter by name. A separate script because the package is
// ECMAScript modules only, which the workspace's jest (CommonJS) cannot load.
import { text } from 'node:stream/consumers';
import { loadAll } from 'js-yaml';
import * as models from 'kubernetes-models';

/** `apps/v1` -> models.apps.v1, `networking.k8s.io/v1` -> models.networkingK8sIo.v1, `v1` -> models.v1. */
function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion];
  const key = group?.replace(/\.(\w)/g, (_, letter) => letter.toUpperCase());
  const versions = key === undefined ? models : models[key];
  return versions?.[version]?.[kind];
}

const objects = loadAll(await text(process.stdin)).filter((object) => object !== null);
let invalid = 0;
for (const object of objects) {
  const name = `${object.kind}/${object.metadata?.name} (${object.apiVersion})`;
  const Model = modelOf(object.apiVersion, object.kind);
  try {
    if (Model === undefined) throw new Error('no schema for this apiVersion and kind');
    new Model(object).validate();
  } catch (error) {
    invalid++;
    console.error(`${name}: ${error.message}`);
  }
}
if (objects.length === 0) {
  console.error('no objects on standard input');
  process.exit(1);
}
console.log(`${objects.length - invalid} of ${objects.length} objects valid`);
process.exit(invalid === 0 ? 0 : 1);
