import {
  definePlugin,
  type HookContext,
  isStigmerError,
  PullError,
  type ResolvedImage,
  type ResolveRequest,
  type StigmerError,
  type StigmerPlugin,
} from '@stigmer/core';
import { type Candidate, candidates } from './candidates.js';
import { activeCoolDown, type CoolDown, readCoolDowns, writeCoolDowns } from './cool-down.js';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { RegistryOptions } from './options.js';
import { VERSION } from './package-version.js';
import { defaultTag } from './tag.js';

/** Failures that say the registry is unwell, not that the image is missing: the mirror cools down. */
const COOL_DOWN_CODES = new Set(['PULL_RATE_LIMITED', 'PULL_TRANSIENT', 'PULL_STALLED', 'PULL_FAILED']);

/** A few words per failure class, for `--explain` and the final message. */
const WHY: Record<string, string> = {
  PULL_NOT_FOUND: 'not found',
  PULL_UNAUTHORIZED: 'credentials refused',
  PULL_RATE_LIMITED: 'rate limited',
  PULL_TRANSIENT: 'failed',
  PULL_STALLED: 'stalled',
  PULL_PLATFORM_UNAVAILABLE: 'no image for the platform',
  PULL_FAILED: 'failed',
};

/**
 * Pulls the agent-runner image from any registry (Harbor, Artifactory, a
 * cloud registry, a pull-through cache): mirrors first, in order, by rewrite
 * rules, then the canonical registry. Credentials come per registry from the
 * shared `credentials` hook; the pull, its retries and checks from core's
 * `pullAndTag`; the pull policy from core's `pullDecision`. A mirror that
 * answered 429, failed or stalled cools down (skipped by later runs). The
 * result is tagged with the canonical local name whichever mirror served it.
 */
export function registryPlugin(): StigmerPlugin<RegistryOptions> {
  return definePlugin<RegistryOptions>({
    name: 'stigmer:registry',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      hooks.resolveImage.tap((request, ctx) => resolve(request, ctx, options));
    },
  });
}

async function resolve(
  request: ResolveRequest,
  ctx: HookContext<RegistryOptions>,
  options: RegistryOptions,
): Promise<ResolvedImage | undefined> {
  const name = options.image;
  const canonical = `${name}:${options.tag ?? defaultTag(request.cliVersion)}`;
  const tag = canonical.slice(name.length + 1);
  const list = candidates(name, tag, options.mirrors, options.origin);
  if (list.length === 0) {
    ctx.note(`no registry to try for ${canonical}: origin is off and no mirror rule matches`, {
      reference: canonical,
    });
    return undefined;
  }
  const coolDowns = await readCoolDowns(ctx.run.dataDir);
  const cooling = (c: Candidate, i: number) =>
    i < list.length - 1 ? activeCoolDown(coolDowns, c.registry) : undefined;
  const usable = list.filter((c, i) => !cooling(c, i)).map((c) => c.reference);
  const decision = await ctx.pullDecision(request, usable);
  if (decision.action === 'skip') {
    ctx.note(decision.reason, { reference: canonical });
    return undefined;
  }
  if (decision.action === 'use-local') {
    ctx.note(decision.reason, { reference: canonical });
    return decision.image;
  }
  ctx.log.info(`pulling ${canonical}: ${decision.reason}`);
  return pullFromFirst(request, ctx, { list, canonical, coolDowns, cooling, options });
}

interface PullPlan {
  list: Candidate[];
  canonical: string;
  coolDowns: Record<string, CoolDown>;
  cooling: (c: Candidate, i: number) => CoolDown | undefined;
  options: RegistryOptions;
}

/** Tries each candidate in order; the first that serves the image wins. */
async function pullFromFirst(
  request: ResolveRequest,
  ctx: HookContext<RegistryOptions>,
  plan: PullPlan,
): Promise<ResolvedImage | undefined> {
  const { list, canonical, coolDowns } = plan;
  const coolMs = plan.options.coolDown;
  const left: string[] = [];
  let lastError: StigmerError | undefined;
  let changed = false;
  try {
    for (const [i, candidate] of list.entries()) {
      const last = i === list.length - 1;
      const cooldown = plan.cooling(candidate, i);
      if (cooldown) {
        const why = `cooling down until ${cooldown.until} (${cooldown.reason})`;
        ctx.log.info(`left ${candidate.reference}: ${why}`);
        left.push(`${candidate.reference}: ${why}`);
        continue;
      }
      try {
        const image = await ctx.pull({
          reference: candidate.reference,
          request,
          // A mirror gets one attempt: the next mirror is a better bet than waiting on this one.
          ...(last ? {} : { retries: 0 }),
          source: candidate.origin
            ? `registry ${candidate.reference}`
            : `mirror ${candidate.reference} (of ${canonical})`,
        });
        if (coolDowns[candidate.registry]) {
          delete coolDowns[candidate.registry];
          changed = true;
        }
        const after =
          left.length > 0 ? ` after leaving ${left.length} registr${left.length === 1 ? 'y' : 'ies'}` : '';
        ctx.note(`pulled ${candidate.reference}${after}; tagged ${request.localTag}`, {
          reference: candidate.reference,
        });
        return image;
      } catch (error) {
        if (!isStigmerError(error) || !error.code.startsWith('PULL_')) throw error;
        const said = typeof error.details.said === 'string' ? `: ${error.details.said}` : '';
        let why = `${WHY[error.code] ?? 'failed'}${said}`;
        if (COOL_DOWN_CODES.has(error.code) && !candidate.origin) {
          coolDowns[candidate.registry] = { until: new Date(Date.now() + coolMs).toISOString(), reason: why };
          changed = true;
          why += `; cooling down for ${ctx.formatDuration(coolMs)}`;
        }
        ctx.log.info(`left ${candidate.reference}: ${why}`);
        left.push(`${candidate.reference}: ${why}`);
        lastError = error;
      }
    }
  } finally {
    if (changed) await writeCoolDowns(ctx.run.dataDir, coolDowns);
  }
  return giveUp(ctx, canonical, left, lastError);
}

/** Every registry said "not found": pass (the build hint explains). Anything else ends the run. */
function giveUp(
  ctx: HookContext<RegistryOptions>,
  canonical: string,
  left: string[],
  lastError: StigmerError | undefined,
): undefined {
  const tried = left.map((l) => `  - ${l}`).join('\n');
  if (!lastError || lastError.code === 'PULL_NOT_FOUND') {
    ctx.note(`no registry had ${canonical}`, { reference: canonical, error: left.join('; ') });
    return undefined;
  }
  throw new PullError(
    lastError.code,
    `Could not pull ${canonical} from any registry. Tried, in order:\n${tried}\n\n${lastError.message}`,
    { cause: lastError, details: { ...lastError.details, reference: canonical, tried: left } },
  );
}
