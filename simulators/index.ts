import type { RunningSimulator, SimulatorOptions } from './common/sim-server';
import { startInforSimulator } from './infor';
import { startPayTraceSimulator } from './paytrace';

export type { RunningSimulator, SimulatorOptions } from './common/sim-server';

/** Every simulator, by the name `npm run sim -- --only NAME` takes. */
export const SIMULATORS = {
  paytrace: startPayTraceSimulator,
  infor: startInforSimulator,
} satisfies Record<string, (options?: SimulatorOptions) => Promise<RunningSimulator>>;

export type SimulatorName = keyof typeof SIMULATORS;

export function isSimulatorName(name: string): name is SimulatorName {
  return Object.hasOwn(SIMULATORS, name);
}
