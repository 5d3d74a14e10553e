import type { Engine, ImageInfo } from './types.js';

/**
 * The engine as one plugin call sees it, remembering what its image
 * inspects answered (by reference). The chain's check of a resolver's answer
 * (`verifyResolved`) uses it to skip asking the engine again what the
 * resolver has just asked. Every other member is the engine's own, bound to it.
 */
export function recordingInspects(engine: Engine): {
  engine: Engine;
  answers: ReadonlyMap<string, ImageInfo | undefined>;
} {
  const answers = new Map<string, ImageInfo | undefined>();
  const inspectImage = async (reference: string) => {
    const info = await engine.inspectImage(reference);
    answers.set(reference, info);
    return info;
  };
  const recording = new Proxy(engine, {
    get(target, key) {
      if (key === 'inspectImage') return inspectImage;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { engine: recording, answers };
}
