import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { harnessDocker } from '../harness/context.js';
import { removeImages } from '../harness/images.js';
import { imageNames } from './helpers.js';

/**
 * Rebuild detection with a real build: `docker build` (the classic builder,
 * through the harness's engine) from a `FROM scratch` Dockerfile, so nothing
 * is ever pulled. The build inputs are the Dockerfile and a poetry.lock.
 */
const images = imageNames('rebuild');
const built: string[] = [];
afterAll(() => removeImages(harnessDocker(), built));

const ENV = { DOCKER_BUILDKIT: '0' };
const DOCKERFILE = 'FROM scratch\nCOPY poetry.lock /app/poetry.lock\n';

async function project(localTag: string, rebuild: Record<string, unknown> = {}) {
  return projectDir({
    '.stigmerrc': JSON.stringify({
      image: { localTag },
      plugins: ['local-image', ['rebuild', { source: './runner', ...rebuild }], 'build-hint'],
    }),
    'runner/Dockerfile': DOCKERFILE,
    'runner/poetry.lock': '# lock 1\n',
  });
}

async function inspect(reference: string) {
  const info = await harnessDocker().getImage(reference).inspect();
  built.push(info.Id);
  return info;
}

describe('rebuild detection from the agent-runner sources', () => {
  it('builds with --build, streaming the output, tells when the sources changed, and rebuilds with --build', async () => {
    const localTag = images.name();
    const cwd = await project(localTag);

    const missing = await stigmer(['image', 'resolve'], { cwd, env: ENV });
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toContain(
      `  - stigmer:rebuild: sources at ${path.join(cwd, 'runner')}; run with --build to build ${localTag} from them`,
    );

    const first = await stigmer(['image', 'resolve', '--build'], { cwd, env: ENV });
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain('Step 1/3 : FROM scratch'); // the build's own output, streamed
    expect(first.stdout).toMatch(
      new RegExp(
        `^${localTag} \\(sha256:[0-9a-f]{12}, linux/amd64\\) from a build of ${path.join(cwd, 'runner').replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&')}\\n$`,
      ),
    );
    const v1 = await inspect(localTag);
    expect(v1.Config.Labels?.['org.stigmer.build-inputs']).toMatch(/^sha256:[0-9a-f]{64}$/);

    const current = await stigmer(['image', 'resolve'], { cwd, env: ENV });
    expect(current.exitCode).toBe(0);
    expect(current.stderr).toBe('');

    await writeFile(path.join(cwd, 'runner/poetry.lock'), '# lock 2\n');
    const stale = await stigmer(['image', 'resolve'], { cwd, env: ENV });
    expect(stale.exitCode).toBe(0);
    expect(stale.stderr).toBe(
      `warning: stigmer:rebuild: ${localTag} is older than its sources: Dockerfile, poetry.lock in ${path.join(cwd, 'runner')} changed since it was built. Run with --build (or set autoBuild: true) to rebuild it.\n`,
    );
    expect((await inspect(localTag)).Id).toBe(v1.Id);

    const rebuilt = await stigmer(['image', 'resolve', '--build', '--explain'], { cwd, env: ENV });
    expect(rebuilt.exitCode).toBe(0);
    expect(rebuilt.stdout).toMatch(
      /imageResolved\s+stigmer:rebuild\s+retry\s+\S+\s+\S+ is older than its sources: .*; rebuilt it/,
    );
    const v2 = await inspect(localTag);
    expect(v2.Id).not.toBe(v1.Id);
    expect(v2.Config.Labels?.['org.stigmer.build-inputs']).not.toBe(
      v1.Config.Labels?.['org.stigmer.build-inputs'],
    );
    expect(rebuilt.stdout.split('\n')[0]).toContain(v2.Id.slice(0, 19));
  });

  it('refuses an image still unlabelled after autoBuild ran a build command that does not stamp the label', async () => {
    const localTag = images.name();
    const cwd = await project(localTag, {
      autoBuild: true,
      build: ['docker', 'build', '-q', '-t', '{localTag}', '{source}'],
    });
    const result = await stigmer(['image', 'resolve'], { cwd, env: ENV });
    await inspect(localTag);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain(
      `${localTag} has no org.stigmer.build-inputs label, so it was not built from ${path.join(cwd, 'runner')} by stigmer, even after the build. Does the build command stamp --label org.stigmer.build-inputs={hash}?`,
    );
  });

  it('names the command and shows its last output when the build fails', async () => {
    const localTag = images.name();
    const cwd = await project(localTag, { autoBuild: true });
    await writeFile(path.join(cwd, 'runner/Dockerfile'), 'FROM scratch\nCOPY missing-file /x\n');
    const result = await stigmer(['image', 'resolve'], { cwd, env: ENV });
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toContain(
      `The build command \`docker build -t ${localTag} --label org.stigmer.build-inputs=sha256:`,
    );
    expect(result.stderr).toMatch(/failed: it exited with 1\.\nIts last output:\n[\s\S]*missing-file/);
  });
});
