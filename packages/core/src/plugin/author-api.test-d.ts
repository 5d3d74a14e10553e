/**
 * Type tests of the plugin author's API: what a plugin can and cannot
 * write against `@stigmer/core`, checked by the compiler (`tsc -p tests`,
 * part of `npm run check`). A line marked `@ts-expect-error` must not compile.
 */
import {
  type ContainerSpec,
  definePlugin,
  type HookContext,
  ManifestError,
  type ManifestRequest,
  PLUGIN_API_VERSION,
  type PluginApiVersion,
  type ResolvedImage,
  type ResolveRequest,
  type RuntimeUnit,
  type StigmerPlugin,
  type SwarmEngine,
} from '@stigmer/core';
import { duration, z } from '@stigmer/core/options';
import { expectTypeOf } from 'vitest';

const schema = z.strictObject({
  registry: z.string().default('ghcr.io'),
  tag: z.string().optional(),
  coolDown: duration().default(600_000),
});

// Options are typed from the schema: defaults make a field present, durations arrive as ms.
definePlugin({
  name: 'typed',
  version: '1.0.0',
  optionsSchema: schema,
  apply(hooks, options) {
    expectTypeOf(options).toEqualTypeOf<{ registry: string; tag?: string | undefined; coolDown: number }>();
    hooks.resolveImage.tap((_request, ctx) => {
      expectTypeOf(ctx.options).toEqualTypeOf(options);
      return undefined;
    });
  },
});

// So are they from a schema loaded lazily, as first-party plugins do.
definePlugin({
  name: 'lazy',
  version: '1.0.0',
  optionsSchema: async () => schema,
  apply(_hooks, options) {
    expectTypeOf(options.registry).toEqualTypeOf<string>();
  },
});

// definePlugin stamps the API version; an author never writes it.
const stamped = definePlugin({ name: 'p', version: '1.0.0', apply() {} });
expectTypeOf(stamped).toMatchTypeOf<StigmerPlugin<Record<string, unknown>>>();
expectTypeOf(stamped.apiVersion).toEqualTypeOf<PluginApiVersion>();
expectTypeOf(PLUGIN_API_VERSION).toEqualTypeOf<PluginApiVersion>();
// @ts-expect-error apiVersion is definePlugin's to fill in
definePlugin({ name: 'p', version: '1.0.0', apiVersion: '1.0', apply() {} });
// @ts-expect-error a plain plugin object must say which API it was written for
const plain: StigmerPlugin = { name: 'p', version: '1.0.0', apply() {} };
void plain;
// @ts-expect-error the API version is major.minor
const badVersion: StigmerPlugin = { name: 'p', version: '1', apiVersion: 'one', apply() {} };
void badVersion;

definePlugin({
  name: 'taps',
  version: '1.0.0',
  apply(hooks) {
    // A resolver returns an image or undefined, sync or async.
    hooks.resolveImage.tap((request) => {
      expectTypeOf(request).toEqualTypeOf<ResolveRequest>();
      expectTypeOf(request.build).toEqualTypeOf<boolean>();
      return undefined;
    });
    hooks.resolveImage.tap(
      async (request): Promise<ResolvedImage> => ({
        reference: request.localTag,
        id: 'sha256:1',
        source: 's',
      }),
    );
    // @ts-expect-error a resolver cannot return text
    hooks.resolveImage.tap(() => 'stigmer-agent-runner:local');
    // @ts-expect-error a resolved image needs an id and a source
    hooks.resolveImage.tap((request) => ({ reference: request.localTag }));
    // The container spec waterfall returns a spec or undefined.
    hooks.containerSpec.tap((spec) => {
      expectTypeOf(spec).toEqualTypeOf<ContainerSpec>();
      return { ...spec, env: { ...spec.env, A: '1' } };
    });
    // @ts-expect-error environment values are text
    hooks.containerSpec.tap((spec) => ({ ...spec, env: { A: 1 } }));
    // imageResolved verdicts are reject or retry.
    hooks.imageResolved.tap(() => ({ action: 'reject', reason: 'no' }));
    // @ts-expect-error there is no "accept" verdict: return undefined to accept
    hooks.imageResolved.tap(() => ({ action: 'accept', reason: 'fine' }));
    // Hints are text.
    hooks.unresolved.tap((report) => report.tried.join('\n'));
    // @ts-expect-error no hook of that name
    hooks.resolve.tap(() => undefined);
    // A manifest renderer (API 1.2) answers for its format with documents and notes, else passes.
    hooks.renderManifest.tap((request) => {
      expectTypeOf(request).toEqualTypeOf<ManifestRequest>();
      expectTypeOf(request.includeSecrets).toEqualTypeOf<boolean>();
      expectTypeOf(request.image.healthcheck?.test).toEqualTypeOf<string[] | undefined>();
      if (request.format !== 'nomad') return undefined;
      if (!request.image.pullable) throw new ManifestError('MANIFEST_IMAGE_LOCAL', 'push it first');
      return { documents: [{ job: request.spec.name }], notes: [] };
    });
    // @ts-expect-error a manifest is documents and notes, not text
    hooks.renderManifest.tap(() => 'kind: Deployment');
    hooks.renderManifest.tap((request) => {
      // @ts-expect-error the request is read-only: a renderer cannot turn secrets on
      request.includeSecrets = true;
      return undefined;
    });
    // Order: before another plugin, or a stage.
    hooks.resolveImage.tap(() => undefined, { before: 'stigmer:ghcr', stage: -1 });
    // @ts-expect-error tap options are before and stage only
    hooks.resolveImage.tap(() => undefined, { name: 'renamed' });
  },
});

// The context: facts to read, the host's runtime to call, nothing of the host's internals.
declare const ctx: HookContext<{ image: string }>;
declare const request: ResolveRequest;
expectTypeOf(ctx.pull({ reference: 'r', request })).toEqualTypeOf<Promise<ResolvedImage>>();
expectTypeOf(ctx.pullDecision(request, ['a', 'b'])).resolves.toHaveProperty('action');
expectTypeOf(ctx.run.dataDir).toEqualTypeOf<string>();
expectTypeOf(ctx.options.image).toEqualTypeOf<string>();
// @ts-expect-error run facts are read-only
ctx.run.dataDir = '/elsewhere';
// @ts-expect-error the pipeline is the host's, not the plugin's
ctx.pipeline;
// @ts-expect-error the trace is read through ctx.run.trace, never written
ctx.run.trace.push({});

// Host-only parts are not in the author's entry.
// @ts-expect-error sessions are @stigmer/core/host's
export type NoSession = typeof import('@stigmer/core').openSession;
// @ts-expect-error and so is the pipeline
export type NoPipeline = import('@stigmer/core').Pipeline;
// @ts-expect-error internals are exported from neither entry
export type NoBackoff = typeof import('@stigmer/core/host').backoffDelay;

// The runtime hooks (1.2): every answer names its runtime; the Swarm API is optional on the engine.
definePlugin({
  name: 'runtime',
  version: '1.0.0',
  apply(hooks) {
    hooks.runtimeFind.tap((target) => ({ runtime: 'mine', found: undefined, ...{ name: target.name } }));
    // @ts-expect-error an answer without its runtime's name
    hooks.runtimeInspect.tap(() => ({ found: undefined }));
    hooks.runtimeStop.tap(async (request) => ({ runtime: 'mine', removed: [request.target.name] }));
    hooks.runtimeUpdate.tap((request) => {
      expectTypeOf(request.force).toEqualTypeOf<boolean>();
      expectTypeOf(request.current.units).toEqualTypeOf<readonly RuntimeUnit[]>();
      return undefined;
    });
  },
});
expectTypeOf(ctx.engine.swarm).toEqualTypeOf<(() => SwarmEngine) | undefined>();
