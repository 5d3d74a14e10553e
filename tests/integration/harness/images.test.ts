import { afterAll, describe, expect, it } from 'vitest';
import { harnessDocker } from './context.js';
import { makeMultiLayerImage, makeTestImage, removeImages } from './images.js';

/** Test images must carry their labels verbatim, have the layers asked for, and run busybox. */
describe('test images', () => {
  const docker = harnessDocker();
  const tags = ['stigmer-harness/images-test:labels', 'stigmer-harness/images-test:layers'];

  afterAll(() => removeImages(docker, tags));

  it('keeps labels verbatim, quotes and dollars included', async () => {
    const labels = { 'org.opencontainers.image.version': '1.2.3', 'org.example.odd': 'a "b" $HOME \\ c' };

    const id = await makeTestImage(tags[0] as string, { docker, labels });

    const image = await docker.getImage(id).inspect();
    expect(image.Config.Labels).toMatchObject(labels);
    expect(image.RootFS.Layers).toHaveLength(1);
  });

  it('builds a multi-layer image of about the size asked for', async () => {
    const id = await makeMultiLayerImage(tags[1] as string, {
      docker,
      layers: 3,
      sizeBytes: 6 * 1024 * 1024,
    });

    const image = await docker.getImage(id).inspect();
    expect(image.RootFS.Layers).toHaveLength(3);
    expect(image.Size).toBeGreaterThan(5.5 * 1024 * 1024);
    expect(image.Size).toBeLessThan(6.5 * 1024 * 1024);
  });

  it('runs busybox applets in a container without a network', async () => {
    const container = await docker.createContainer({
      Image: tags[0] as string,
      Cmd: ['sh', '-c', 'echo "$GREETING from $(id -un)"; ls /bin/nc /bin/sleep'],
      Env: ['GREETING=hello'],
      HostConfig: { NetworkMode: 'none', Init: true },
    });
    try {
      await container.start();
      const { StatusCode } = await container.wait();
      const logs = (await container.logs({ stdout: true, stderr: true })).toString();
      expect(StatusCode).toBe(0);
      expect(logs).toContain('hello from root');
      expect(logs).toContain('/bin/nc');
    } finally {
      await container.remove({ force: true });
    }
  });
});
