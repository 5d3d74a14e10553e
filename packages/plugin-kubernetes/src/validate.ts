import { ManifestError } from '@stigmer/core';
import type { KubernetesObject } from './objects.js';

/** One of kubernetes-models' classes: built from data, checked against the API's OpenAPI schema. */
type ModelClass = new (data: Record<string, unknown>) => { validate(): void };

/**
 * The kinds this plugin renders, with the kubernetes-models class of each.
 * Loaded on first use only (about 100 ms of schemas and ajv): nothing else
 * the CLI does pays for it.
 */
const MODELS: Readonly<Record<string, () => Promise<ModelClass>>> = {
  'apps/v1 Deployment': () =>
    import('kubernetes-models/apps/v1/Deployment').then((m) => m.Deployment as unknown as ModelClass),
  'v1 Secret': () => import('kubernetes-models/v1/Secret').then((m) => m.Secret as unknown as ModelClass),
};

/** An error of ajv's, as kubernetes-models' ValidationError carries them. */
interface SchemaProblem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * Checks every object against the Kubernetes schemas (kubernetes-models,
 * generated from the API server's OpenAPI). An object the schema refuses is
 * a bug in the renderer, never the user's input: it fails with
 * `MANIFEST_INVALID` naming the object and the field, before anything is printed.
 */
export async function validateObjects(objects: readonly KubernetesObject[]): Promise<void> {
  for (const object of objects) {
    const kind = `${object.apiVersion} ${object.kind}`;
    const load = MODELS[kind];
    if (!load) throw invalid(object, `its kind (${kind}) is not one this plugin can check`, []);
    const Model = await load();
    try {
      new Model(object).validate();
    } catch (error) {
      const problems = ((error as { errors?: SchemaProblem[] }).errors ?? []).slice(0, 5);
      if (problems.length === 0) throw invalid(object, (error as Error).message, []);
      throw invalid(object, problems.map(describe).join('; '), problems.map(fieldOf));
    }
  }
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
function fieldOf(problem: SchemaProblem): string {
  const parts = (problem.instancePath ?? '').split('/').filter(Boolean);
  const extra = problem.params?.additionalProperty ?? problem.params?.missingProperty;
  if (typeof extra === 'string') parts.push(extra);
  return (
    parts.reduce(
      (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
      '',
    ) || '(the object)'
  );
}

function describe(problem: SchemaProblem): string {
  return `${fieldOf(problem)} ${problem.message ?? 'is invalid'}`;
}

function invalid(object: KubernetesObject, what: string, fields: string[]): ManifestError {
  const name = (object.metadata as { name?: string } | undefined)?.name ?? '(unnamed)';
  return new ManifestError(
    'MANIFEST_INVALID',
    `The ${object.kind} ${name} that stigmer rendered does not pass the Kubernetes schema: ${what}. Nothing was printed. This is a bug in the kubernetes plugin: please report it with this message.`,
    { details: { kind: object.kind, name, fields } },
  );
}
