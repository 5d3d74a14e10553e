import type { Engine, ImageInfo } from './types.js';

/**
 * The engine as one plugin call sees it, remembering what its image
 * inspects answered (by reference), and what its tags made of them (a tag
 * points the new name at the image it was given: after pulling and tagging,
 * the local name is known to be that image). The chain's check of a
 * resolver's answer (`verifyResolved`) uses it, by id, to skip asking the
 * engine again what the resolver has just learnt. Every other member is the
 * engine's own, bound to it.
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
  const tag = async (source: string, target: string) => {
    await engine.tag(source, target);
    const image = answers.get(source) ?? [...answers.values()].find((info) => info?.id === source);
    if (image) answers.set(target, image);
  };
  // What may re-point or remove a name makes its answer unknown again.
  const forgetting =
    <A extends unknown[], R>(call: (reference: string, ...rest: A) => Promise<R>) =>
    async (reference: string, ...rest: A) => {
      for (const [name, info] of answers)
        if (name === reference || info?.id === reference) answers.delete(name);
      return call(reference, ...rest);
    };
  const pull = forgetting(engine.pull.bind(engine));
  const removeImage = forgetting(engine.removeImage.bind(engine));
  const recording = new Proxy(engine, {
    get(target, key) {
      if (key === 'inspectImage') return inspectImage;
      if (key === 'tag') return tag;
      if (key === 'pull') return pull;
      if (key === 'removeImage') return removeImage;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { engine: recording, answers };
}
