import type { ImageInfo } from '../engine/types.js';

/** An engine's answer about an image of this id (linux/amd64, no tags, labels or digests), for tests. */
export function imageInfo(id: string): ImageInfo {
  return {
    id,
    repoTags: [],
    repoDigests: [],
    platform: 'linux/amd64',
    labels: {},
    created: '',
    sizeBytes: 1,
  };
}
