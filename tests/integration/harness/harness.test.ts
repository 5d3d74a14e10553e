import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearTokenRequests, harness, harnessDocker, tokenRequests } from './context.js';
import { PRIVATE_REPOSITORY, PRIVATE_TAG, PUBLIC_REPOSITORY } from './fixtures.js';
import { removeImages } from './images.js';
import { pullImage } from './pull.js';
import { pushImage } from './push.js';

/**
 * The harness itself, proven against the real engine and registries: the
 * token registry must behave like ghcr.io (anonymous pulls of public images,
 * refusals for private ones and for anonymous pushes), or tests built on it
 * would prove nothing.
 */
describe('integration harness', () => {
  const docker = harnessDocker();
  const leftovers: string[] = [];

  beforeEach(() => clearTokenRequests());
  afterEach(async () => {
    await removeImages(docker, leftovers.splice(0));
  });

  /** A reference to pull, removed from the engine after the test. */
  function pulled(registry: string, repository: string, tag: string): string {
    const ref = `${registry}/${repository}:${tag}`;
    leftovers.push(ref);
    return ref;
  }

  it('publishes the labelled test image to the open registry for anonymous pulls', async () => {
    const { openRegistry, testImage } = harness();
    const ref = pulled(openRegistry, PUBLIC_REPOSITORY, 'latest');

    await pullImage(docker, ref);

    const image = await docker.getImage(ref).inspect();
    expect(image.Id).toBe(testImage.id);
    expect(image.Config.Labels?.['org.opencontainers.image.version']).toBe('0.1.0');
  });

  it('token registry serves an anonymous pull of the public repository', async () => {
    const { tokenRegistry, testImage } = harness();
    const ref = pulled(tokenRegistry, PUBLIC_REPOSITORY, '0.1.0');

    const events = await pullImage(docker, ref);

    expect(events.some((event) => event.status?.startsWith('Digest: sha256:'))).toBe(true);
    expect((await docker.getImage(ref).inspect()).Id).toBe(testImage.id);
    const requests = await tokenRequests();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.anonymous && request.status === 200)).toBe(true);
    expect(requests.flatMap((request) => request.scopes)).toContain(`repository:${PUBLIC_REPOSITORY}:pull`);
  });

  it('token registry refuses an anonymous pull of the private repository', async () => {
    const { tokenRegistry } = harness();
    const ref = pulled(tokenRegistry, PRIVATE_REPOSITORY, PRIVATE_TAG);

    await expect(pullImage(docker, ref)).rejects.toThrow(/pull access denied|denied|unauthorized/);
    await expect(docker.getImage(ref).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const requests = await tokenRequests();
    expect(requests.flatMap((request) => request.granted)).toEqual([]);
  });

  it("token registry allows a pull of the private repository with the reader's credentials", async () => {
    const { tokenRegistry, users, testImage } = harness();
    const ref = pulled(tokenRegistry, PRIVATE_REPOSITORY, PRIVATE_TAG);

    await pullImage(docker, ref, users.reader);

    expect((await docker.getImage(ref).inspect()).Id).toBe(testImage.id);
    const requests = await tokenRequests();
    expect(requests.some((request) => request.username === users.reader.username)).toBe(true);
    // The records name users but never carry their passwords.
    expect(JSON.stringify(requests)).not.toContain(users.reader.password);
  });

  it('token registry refuses a pull with a wrong password', async () => {
    const { tokenRegistry, users } = harness();
    const ref = pulled(tokenRegistry, PRIVATE_REPOSITORY, PRIVATE_TAG);
    const wrong = { username: users.reader.username, password: `${users.reader.password}-wrong` };

    await expect(pullImage(docker, ref, wrong)).rejects.toThrow(/unauthorized|denied/);
    expect((await tokenRequests()).map((request) => request.status)).toContain(401);
  });

  it('token registry refuses an anonymous push, even to the public repository', async () => {
    const { tokenRegistry, testImage } = harness();
    const tag = 'anonymous-push';
    leftovers.push(`${tokenRegistry}/${PUBLIC_REPOSITORY}:${tag}`);

    await expect(
      pushImage(docker, testImage.id, { registry: tokenRegistry, repository: PUBLIC_REPOSITORY, tag }),
    ).rejects.toThrow(/denied|unauthorized|authentication required/);
    const granted = (await tokenRequests()).flatMap((request) =>
      request.granted.flatMap((access) => access.actions),
    );
    expect(granted).not.toContain('push');
  });
});
