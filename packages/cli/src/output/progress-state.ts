import type { PullEvent } from '@stigmer/core';

/** The whole pull of one reference, summed over its layers. */
export interface PullSnapshot {
  reference: string;
  /** Bytes downloaded so far, over every layer that reported sizes. */
  bytes: number;
  /** Sum of the layer sizes known so far (grows as layers start). */
  total: number;
  layers: number;
  layersDone: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  elapsedMs: number;
}

interface Layer {
  current: number;
  total: number;
  done: boolean;
}

/** A 3-second window: steady enough to read, quick to follow a change. */
const RATE_WINDOW_MS = 3000;

// The engine's words for a layer that needs no more bytes.
const DONE = /^(Download complete|Pull complete|Already exists|Verifying Checksum|Extracting)/;
const FINISHED = /^(Pull complete|Already exists)/;

/**
 * Folds the engine's per-layer events into one figure: bytes, rate, layers
 * done. Memory is one small record per layer, whatever the image's size.
 */
export class PullProgress {
  readonly #layers = new Map<string, Layer>();
  readonly #started: number;
  #samples: Array<{ at: number; bytes: number }> = [];
  #bytes = 0;

  constructor(
    readonly reference: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#started = now();
  }

  /** Applies an event; true when it changed the figures. */
  apply(event: PullEvent): boolean {
    if (event.type !== 'layer') return false;
    const layer = this.#layers.get(event.layer) ?? { current: 0, total: 0, done: false };
    this.#layers.set(event.layer, layer);
    const before = layer.current;
    if (event.status.startsWith('Downloading')) {
      if (typeof event.total === 'number' && event.total > 0) layer.total = event.total;
      if (typeof event.current === 'number') layer.current = Math.max(layer.current, event.current);
    } else if (DONE.test(event.status) && layer.total > 0) {
      layer.current = layer.total;
    }
    if (FINISHED.test(event.status)) layer.done = true;
    this.#bytes += layer.current - before;
    this.sample();
    return true;
  }

  /** Records the byte count at most every 100 ms, for the rate. */
  private sample(): void {
    const at = this.now();
    const last = this.#samples.at(-1);
    if (last && at - last.at < 100) return;
    this.#samples.push({ at, bytes: this.#bytes });
    // Keep one sample older than the window as its baseline.
    while (this.#samples.length > 2 && at - (this.#samples[1]?.at ?? at) > RATE_WINDOW_MS)
      this.#samples.shift();
  }

  /** Starts over (a retry): the engine reports every layer again. */
  reset(): void {
    this.#layers.clear();
    this.#samples = [];
    this.#bytes = 0;
  }

  snapshot(): PullSnapshot {
    let bytes = 0;
    let total = 0;
    let done = 0;
    for (const layer of this.#layers.values()) {
      bytes += layer.current;
      total += layer.total;
      if (layer.done) done++;
    }
    const at = this.now();
    // The rate over the last few seconds, counted up to now: a stalled pull reads 0 B/s.
    const base = this.#samples.findLast((x) => at - x.at >= RATE_WINDOW_MS) ??
      this.#samples[0] ?? { at, bytes };
    const first = base;
    const span = (at - first.at) / 1000;
    return {
      reference: this.reference,
      bytes,
      total,
      layers: this.#layers.size,
      layersDone: done,
      rate: span > 0 ? Math.max(0, (bytes - first.bytes) / span) : 0,
      elapsedMs: at - this.#started,
    };
  }
}
