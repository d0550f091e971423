/**
 * The channel between a recovery test and the fault-injecting worker
 * (`fault-injecting.worker.ts`). A BroadcastChannel, not the worker API, so the
 * product's API, client and worker carry no test hook at all.
 */

/** Faults the test worker can be told to simulate. */
export type SimulatedFault = 'context-loss' | 'uncaught-error' | 'hang';

/** The channel's name, shared by the page and the worker (same origin). */
export const FAULT_CHANNEL = 'column-classifier-test-faults';

/** A request from the test page. */
export interface FaultRequest {
  readonly id: number;
  readonly fault: SimulatedFault;
}

/** The worker's answer once the fault is armed (or why it could not be). */
export interface FaultAnswer {
  readonly id: number;
  readonly error?: string;
}
