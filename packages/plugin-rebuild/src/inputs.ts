import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '@stigmer/core';

/** The label the build stamps on the image: the hash of the inputs it was built from. */
export const INPUTS_LABEL = 'org.stigmer.build-inputs';

/** What is hashed when the config names no inputs (the files that exist). */
export const DEFAULT_INPUTS = [
  'Dockerfile',
  'poetry.lock',
  'pyproject.toml',
  'requirements.txt',
  'uv.lock',
  'package-lock.json',
];

/** The hash of the build inputs and the files it covers. */
export interface InputsHash {
  hash: string;
  files: string[];
}

/**
 * SHA-256 over each input's path and content, in the given order: a changed
 * lock file, a changed Dockerfile or an input added or removed all change it.
 */
export async function hashInputs(source: string, inputs: readonly string[] | undefined): Promise<InputsHash> {
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const name of inputs ?? DEFAULT_INPUTS) {
    let content: Buffer;
    try {
      content = await readFile(path.join(source, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (inputs) {
        throw new ConfigError('CONFIG_INVALID', `The build input ${path.join(source, name)} does not exist.`);
      }
      continue;
    }
    hash.update(`${name}\0${content.length}\0`);
    hash.update(content);
    files.push(name);
  }
  if (files.length === 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `No build inputs found in ${source} (looked for ${(inputs ?? DEFAULT_INPUTS).join(', ')}). Is "source" the agent-runner's folder?`,
    );
  }
  return { hash: `sha256:${hash.digest('hex')}`, files };
}
