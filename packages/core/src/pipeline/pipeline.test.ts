import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../config/declarations.js';
import type { Engine } from '../engine/types.js';
import { InterruptedError, PluginError, PullError } from '../errors.js';
import type { ResolveRequest } from '../image/types.js';
import { definePlugin } from '../plugin/define.js';
import type { LoadedPlugin, StigmerPlugin } from '../plugin/types.js';
import { Pipeline } from './pipeline.js';
import { resolveImage } from './resolve.js';

const request: ResolveRequest = {
  localTag: 'stigmer-agent-runner:local',
  platform: undefined,
  purpose: 'resolve',
  pullPolicy: 'missing',
  offline: false,
  build: false,
  cliVersion: '0.1.0',
};

// Pure-logic tests: the plugins never call the engine; core asks it only
// whether the resolved image is there (the image below, by its one name).
const noEngine = new Proxy({} as Engine, {
  get: (_, key) =>
    key === 'inspectImage'
      ? (reference: string) =>
          Promise.resolve(reference === 'stigmer-agent-runner:local' ? { id: 'sha256:abc' } : undefined)
      : () => Promise.reject(new Error(`engine.${String(key)} must not be called here`)),
});

function pipeline(
  timeouts: Partial<typeof DEFAULT_TIMEOUTS> = {},
  signal?: AbortSignal,
  interruptGraceMs?: number,
) {
  return new Pipeline({
    cliVersion: '0.1.0',
    cwd: '/tmp',
    configFile: undefined,
    env: {},
    engine: noEngine,
    timeouts: { ...DEFAULT_TIMEOUTS, ...timeouts },
    ...(signal ? { signal } : {}),
    ...(interruptGraceMs === undefined ? {} : { interruptGraceMs }),
  });
}

const loaded = (plugin: StigmerPlugin<unknown>, index = 0, options: unknown = {}): LoadedPlugin => ({
  plugin,
  options,
  specifier: plugin.name,
  loadedFrom: 'test',
  index,
});

const resolver = (name: string, result: unknown, calls: string[] = []) =>
  definePlugin<unknown>({
    name,
    version: '1.0.0',
    apply(hooks) {
      hooks.resolveImage.tap((_req, ctx) => {
        calls.push(name);
        ctx.note(`${name} says ${result === undefined ? 'pass' : 'resolve'}`);
        return result as never;
      });
    },
  });

const image = { reference: 'stigmer-agent-runner:local', id: 'sha256:abc', source: 'test' };

describe('resolution chain', () => {
  it('calls resolvers in config order and stops at the first that resolves', async () => {
    const calls: string[] = [];
    const p = pipeline();
    await p.use(
      [resolver('a', undefined, calls), resolver('b', image, calls), resolver('c', image, calls)].map(loaded),
    );
    await expect(resolveImage(p, request)).resolves.toEqual(image);
    expect(calls).toEqual(['a', 'b']);
    expect(p.trace.map((e) => [e.plugin, e.outcome, e.reason])).toEqual([
      ['a', 'passed', 'a says pass'],
      ['b', 'resolved', 'b says resolve'],
    ]);
  });

  it('honours `before` to run a plugin ahead of a named one', async () => {
    const calls: string[] = [];
    const early = definePlugin({
      name: 'early',
      version: '1.0.0',
      apply(hooks) {
        hooks.resolveImage.tap(
          () => {
            calls.push('early');
            return undefined;
          },
          { before: 'a' },
        );
      },
    });
    const p = pipeline();
    await p.use([resolver('a', image, calls), early].map((pl, i) => loaded(pl as StigmerPlugin<unknown>, i)));
    await resolveImage(p, request);
    expect(calls).toEqual(['early', 'a']);
  });

  it('refuses `before` naming a plugin that is not loaded, instead of silently reordering', async () => {
    const p = pipeline();
    const bad = definePlugin({
      name: 'bad',
      version: '1.0.0',
      apply(hooks) {
        hooks.resolveImage.tap(() => undefined, { before: 'nope' });
      },
    });
    await expect(p.use([loaded(bad as StigmerPlugin<unknown>)])).rejects.toMatchObject({
      code: 'PLUGIN_INVALID',
      message: expect.stringContaining('asks to run before "nope" in hook "resolveImage"'),
    });
  });

  it('fails with IMAGE_UNRESOLVED listing every attempt when all pass and no hint is given', async () => {
    const p = pipeline();
    await p.use([resolver('a', undefined), resolver('b', undefined)].map(loaded));
    const error = await resolveImage(p, request).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IMAGE_UNRESOLVED' });
    expect((error as Error).message).toBe(
      [
        'No plugin could provide the agent-runner image stigmer-agent-runner:local.',
        '',
        'Tried:',
        '  - a: a says pass',
        '  - b: b says pass',
      ].join('\n'),
    );
  });

  it('uses the hints of the unresolved hook, in plugin order, as the message', async () => {
    const hint = (name: string) =>
      definePlugin<unknown>({
        name,
        version: '1.0.0',
        apply(hooks) {
          hooks.unresolved.tap((report) => `${name}: ${report.attempts.length} attempt(s)`);
        },
      });
    const p = pipeline();
    await p.use([resolver('a', undefined), hint('h1'), hint('h2')].map(loaded));
    await expect(resolveImage(p, request)).rejects.toThrow('h1: 1 attempt(s)\n\nh2: 1 attempt(s)');
  });

  it.each([
    ['null', null, 'returned null; return undefined to pass to the next plugin'],
    ['a string', 'img', 'returned string; expected an image { reference, id, source } or undefined'],
    ['an image without id', { reference: 'x', source: 's' }, 'returned an image without a "id" string'],
  ])('rejects %s from a resolver, naming the plugin and the hook', async (_, result, problem) => {
    const p = pipeline();
    await p.use([loaded(resolver('weird', result))]);
    const error = await resolveImage(p, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({
      code: 'PLUGIN_INVALID_RESULT',
      plugin: 'weird',
      hook: 'resolveImage',
      message: `Plugin "weird" ${problem} (hook "resolveImage").`,
    });
  });

  it.each([
    [
      'a reference the engine does not have',
      { ...image, reference: 'nowhere:1' },
      'resolved nowhere:1, but the engine has no such image',
    ],
    [
      "an id that is not the reference's",
      { ...image, id: 'sha256:other' },
      "resolved stigmer-agent-runner:local as sha256:other, but the engine's stigmer-agent-runner:local is sha256:abc",
    ],
  ])('rejects %s, naming the plugin, and marks its trace entry failed', async (_, result, problem) => {
    const p = pipeline();
    await p.use([loaded(resolver('liar', result))]);
    const error = await resolveImage(p, request).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PLUGIN_INVALID_RESULT',
      plugin: 'liar',
      hook: 'resolveImage',
      message: `Plugin "liar" ${problem} (hook "resolveImage").`,
    });
    expect(p.trace.map((e) => [e.plugin, e.outcome, e.code])).toEqual([
      ['liar', 'failed', 'PLUGIN_INVALID_RESULT'],
    ]);
  });
});

describe('a failed pull ends the chain: its message first, then the hints', () => {
  const failing = (error: Error) =>
    definePlugin<unknown>({
      name: 'puller',
      version: '1.0.0',
      apply(hooks) {
        hooks.resolveImage.tap(async () => {
          throw error;
        });
      },
    });
  const hinter = (seen: unknown[]) =>
    definePlugin<unknown>({
      name: 'hinter',
      version: '1.0.0',
      apply(hooks) {
        hooks.unresolved.tap((report) => {
          seen.push(report.failure);
          return `hint after ${report.failure?.code ?? 'nothing'}`;
        });
      },
    });
  const pullError = () =>
    new PullError('PULL_TRANSIENT', 'Could not reach the registry r.invalid.', {
      details: { reference: 'r.invalid/a:v1', said: 'no such host' },
    });

  it('keeps the pull error code, plugin and details; the unresolved hook sees the failure', async () => {
    const seen: unknown[] = [];
    const p = pipeline();
    await p.use([failing(pullError()), hinter(seen)].map(loaded));
    const error = await resolveImage(p, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullError);
    expect(error).toMatchObject({
      code: 'PULL_TRANSIENT',
      plugin: 'puller',
      hook: 'resolveImage',
      message: 'Could not reach the registry r.invalid.\n\nhint after PULL_TRANSIENT',
      details: { reference: 'r.invalid/a:v1', said: 'no such host' },
    });
    expect(seen).toEqual([
      {
        code: 'PULL_TRANSIENT',
        message: 'Could not reach the registry r.invalid.',
        plugin: 'puller',
        reference: 'r.invalid/a:v1',
        error: 'no such host',
      },
    ]);
  });

  it('leaves errors that are not pull failures alone: no hints', async () => {
    const seen: unknown[] = [];
    const p = pipeline();
    await p.use([failing(new TypeError('boom')), hinter(seen)].map(loaded));
    await expect(resolveImage(p, request)).rejects.toMatchObject({ code: 'PLUGIN_FAILED' });
    expect(seen).toEqual([]);
  });

  it('a hint that fails leaves the pull error as it was', async () => {
    const broken = definePlugin<unknown>({
      name: 'broken-hint',
      version: '1.0.0',
      apply(hooks) {
        hooks.unresolved.tap(() => {
          throw new Error('hint broke');
        });
      },
    });
    const p = pipeline();
    await p.use([failing(pullError()), broken].map(loaded));
    await expect(resolveImage(p, request)).rejects.toMatchObject({
      code: 'PULL_TRANSIENT',
      message: 'Could not reach the registry r.invalid.',
    });
  });
});

describe('error attribution', () => {
  it('re-throws an error from a tap with the plugin, the hook and PLUGIN_FAILED', async () => {
    const thrower = definePlugin<unknown>({
      name: 'thrower',
      version: '1.0.0',
      apply(hooks) {
        hooks.resolveImage.tap(async () => {
          throw new TypeError('boom');
        });
      },
    });
    const p = pipeline();
    await p.use([loaded(thrower)]);
    const error = await resolveImage(p, request).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PLUGIN_FAILED',
      plugin: 'thrower',
      hook: 'resolveImage',
      message: 'Plugin "thrower" failed in hook "resolveImage": boom',
    });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(p.trace[0]).toMatchObject({ plugin: 'thrower', outcome: 'failed', code: 'PLUGIN_FAILED' });
  });

  it('names the plugin when apply itself throws', async () => {
    const broken = definePlugin<unknown>({
      name: 'broken',
      version: '1.0.0',
      apply() {
        throw new Error('cannot start');
      },
    });
    await expect(pipeline().use([loaded(broken)])).rejects.toMatchObject({
      plugin: 'broken',
      hook: 'apply',
      message: 'Plugin "broken" failed in hook "apply": cannot start',
    });
  });

  it('refuses two plugins with the same name', async () => {
    await expect(
      pipeline().use([resolver('twin', undefined), resolver('twin', undefined)].map(loaded)),
    ).rejects.toThrow('Two plugins are named "twin"');
  });
});

describe('timeouts and cancellation', () => {
  it('fails a hanging tap after the hook timeout, naming the plugin, the hook and the setting', async () => {
    let aborted = false;
    const hang = definePlugin<unknown>({
      name: 'hang',
      version: '1.0.0',
      apply(hooks) {
        hooks.resolveImage.tap(
          (_req, ctx) =>
            new Promise(() => {
              ctx.signal.addEventListener('abort', () => {
                aborted = true;
              });
            }),
        );
      },
    });
    const p = pipeline({ resolveImage: 50 });
    await p.use([loaded(hang)]);
    const error = await resolveImage(p, request).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PLUGIN_TIMEOUT',
      plugin: 'hang',
      hook: 'resolveImage',
      message:
        'Plugin "hang" did not finish hook "resolveImage" within 50ms. If it needs longer, raise "timeouts.resolveImage" in your stigmer config (or set STIGMER_TIMEOUT_RESOLVE_IMAGE).',
    });
    expect(aborted).toBe(true);
    expect(p.trace[0]?.outcome).toBe('timeout');
  });

  it('turns a user interrupt into InterruptedError, not a plugin failure, and aborts the tap', async () => {
    const controller = new AbortController();
    let seen: unknown;
    const slow = definePlugin<unknown>({
      name: 'slow',
      version: '1.0.0',
      apply(hooks) {
        hooks.resolveImage.tap(
          (_req, ctx) =>
            new Promise((_, reject) => {
              ctx.signal.addEventListener('abort', () => {
                seen = ctx.signal.reason;
                reject(new Error('pull aborted'));
              });
            }),
        );
      },
    });
    const p = pipeline({}, controller.signal);
    await p.use([loaded(slow)]);
    const run = resolveImage(p, request);
    setTimeout(() => controller.abort(new InterruptedError('SIGTERM')), 10);
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error).toMatchObject({ code: 'INTERRUPTED', signal: 'SIGTERM' });
    expect(seen).toBeInstanceOf(InterruptedError);
  });
});

describe('interrupting a runtime hook', () => {
  // A runtime tap may have made a service and secrets that only it can undo.
  const runtime = (onAbort: (ctx: { signal: AbortSignal }) => Promise<void> | undefined) =>
    definePlugin<unknown>({
      name: 'runtime',
      version: '1.0.0',
      apply(hooks) {
        hooks.runtimeCreate.tap(
          (_request, ctx) =>
            new Promise((_, reject) => {
              ctx.signal.addEventListener('abort', () => {
                const undoing = onAbort(ctx);
                if (undoing) undoing.then(() => reject(new Error('create aborted')));
              });
            }),
        );
      },
    });
  const interruptible = (grace: number) => {
    const controller = new AbortController();
    return { p: pipeline({}, controller.signal, grace), controller };
  };

  it('waits on Ctrl-C until the tap has undone what it made, then reports the interrupt', async () => {
    const { p, controller } = interruptible(5_000);
    let undone = false;
    await p.use([
      loaded(
        runtime(async () => {
          await new Promise((r) => setTimeout(r, 50));
          undone = true;
        }),
      ),
    ]);
    const run = p.call('runtimeCreate', {} as never);
    setTimeout(() => controller.abort(new InterruptedError('SIGINT')), 10);
    const error = await run.catch((e: unknown) => e);
    expect(undone).toBe(true);
    expect(error).toMatchObject({ code: 'INTERRUPTED', signal: 'SIGINT' });
  });

  it('stops waiting after the grace period for a tap that never settles', async () => {
    const { p, controller } = interruptible(30);
    await p.use([loaded(runtime(() => undefined))]);
    const run = p.call('runtimeCreate', {} as never);
    setTimeout(() => controller.abort(new InterruptedError('SIGINT')), 10);
    // Without the grace period's end this would hang until vitest's own timeout.
    const error = await run.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERRUPTED' });
  });
});

describe('after-resolve checks', () => {
  const check = (verdicts: unknown[]) =>
    definePlugin<unknown>({
      name: 'check',
      version: '1.0.0',
      apply(hooks) {
        hooks.imageResolved.tap(() => verdicts.shift() as never);
      },
    });

  it('fails with IMAGE_REJECTED when a check rejects the image', async () => {
    const p = pipeline();
    await p.use([resolver('a', image), check([{ action: 'reject', reason: 'digest differs' }])].map(loaded));
    await expect(resolveImage(p, request)).rejects.toMatchObject({
      code: 'IMAGE_REJECTED',
      message: 'The image stigmer-agent-runner:local (test) was refused: digest differs',
    });
  });

  it('runs the chain again with the changed request when a check asks for a retry', async () => {
    const seen: string[] = [];
    const recorder = definePlugin<unknown>({
      name: 'recorder',
      version: '1.0.0',
      apply(hooks) {
        hooks.resolveImage.tap((req) => {
          seen.push(req.pullPolicy);
          return image;
        });
      },
    });
    const p = pipeline();
    await p.use(
      [recorder, check([{ action: 'retry', reason: 'too old', request: { pullPolicy: 'always' } }])].map(
        (x, i) => loaded(x as StigmerPlugin<unknown>, i),
      ),
    );
    await expect(resolveImage(p, request)).resolves.toEqual(image);
    expect(seen).toEqual(['missing', 'always']);
  });
});

describe('container spec waterfall', () => {
  it('threads the spec through every tap; undefined keeps it', async () => {
    const add = (key: string) =>
      definePlugin<unknown>({
        name: key,
        version: '1.0.0',
        apply(hooks) {
          hooks.containerSpec.tap((spec) =>
            key === 'keep' ? undefined : { ...spec, env: { ...spec.env, [key]: '1' } },
          );
        },
      });
    const p = pipeline();
    await p.use([add('A'), add('keep'), add('B')].map(loaded));
    const spec = await p.call('containerSpec', { name: 'n', image: 'i', env: {}, labels: {}, mounts: [] });
    expect(spec?.env).toEqual({ A: '1', B: '1' });
  });
});

describe('secrets from credentials', () => {
  it('redacts passwords and tokens, but not the user name', async () => {
    const provider = definePlugin<unknown>({
      name: 'creds',
      version: '1.0.0',
      apply(hooks) {
        hooks.credentials.tap(() => ({
          source: 'test',
          auth: { username: 'stigmer', password: 'hunter22', registryToken: 'tok-12345' },
        }));
        hooks.resolveImage.tap(async (_req, ctx) => {
          await ctx.credentials('registry.example', 'stigmer/agent-runner');
          return undefined;
        });
      },
    });
    const p = pipeline();
    await p.use([loaded(provider)]);
    await p.call('resolveImage', request);
    expect(p.redact('stigmer logged in with hunter22 and tok-12345')).toBe(
      'stigmer logged in with *** and ***',
    );
  });
});

describe('renderManifest results', () => {
  const renderer = (result: unknown) =>
    definePlugin<unknown>({
      name: 'renderer',
      version: '1.0.0',
      apply(hooks) {
        hooks.renderManifest.tap(() => result as never);
      },
    });

  it.each([
    ['text', 'kind: Deployment', 'returned a manifest without a "documents" list of objects'],
    ['documents that are not objects', { documents: ['x'], notes: [] }, 'without a "documents" list'],
    ['no notes', { documents: [{}] }, 'returned a manifest without a "notes" list of strings'],
  ])('refuses %s from a renderer as PLUGIN_INVALID_RESULT', async (_, result, problem) => {
    const p = pipeline();
    await p.use([loaded(renderer(result))]);
    const error = await p.call('renderManifest', {} as never).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PLUGIN_INVALID_RESULT',
      plugin: 'renderer',
      hook: 'renderManifest',
    });
    expect((error as Error).message).toContain(problem);
  });

  it('passes documents and notes through, and undefined to the next renderer', async () => {
    const p = pipeline();
    const manifest = { documents: [{ kind: 'Job' }], notes: ['n'] };
    await p.use([loaded(renderer(manifest))]);
    await expect(p.call('renderManifest', {} as never)).resolves.toEqual(manifest);
  });
});
