import { existsSync } from 'node:fs';
import { inspect, until } from '../../server/helpers.js';
import type { World } from '../fault-case.js';

/** Triggers for interrupts: resolve when the run has got that far. */

/** The stalling registry was asked for its layer: the pull is under way. */
export const midPull = async (world: World) => (await world.stalling()).layerRequested;

/** The container exists and runs: the start is waiting for it to be ready. */
export const midStart = (world: World) =>
  until(
    async () => (await inspect(world.fixture.name))?.State.Running === true,
    20_000,
    'the container to run',
  );

/** A file appeared in the project folder (a plugin's sign that it got there). */
export const fileAppears = (name: string) => (world: World) =>
  until(() => existsSync(world.file(name)), 20_000, `${name} to appear`);

/** The engine proxy saw a request whose path matches. */
export const engineSaw = (pattern: RegExp) => async (world: World) => {
  const engine = await world.engineProxy();
  await until(
    () => engine.requests.some((request) => pattern.test(request)),
    20_000,
    `a request like ${pattern}`,
  );
};

/** The wedged engine proxy holds a request unanswered: the run waits on it. */
export const engineHolds = async (world: World) => {
  const engine = await world.engineProxy();
  await until(() => engine.held() > 0, 20_000, 'a request the wedged engine holds');
};
