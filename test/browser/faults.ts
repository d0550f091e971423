/** The page side of the test-only fault channel (see test/worker/fault-injecting.worker.ts). */
import { FAULT_CHANNEL, type FaultAnswer, type SimulatedFault } from '../worker/fault-channel.ts';

/**
 * Client options that start the test worker entry (the product's worker plus simulated faults)
 * instead of the product's. The .wasm paths are given because the product's default is resolved
 * beside its own worker module, not beside this one.
 */
export const FAULT_WORKER = {
  workerUrl: new URL('../worker/fault-injecting.worker.ts', import.meta.url),
  wasmPaths: new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).href,
} as const;

let nextId = 1;

/** Asks the fault-injecting worker for a fault and resolves once it is armed. */
export function simulateFault(fault: SimulatedFault, timeoutMs = 5000): Promise<void> {
  const id = nextId++;
  const channel = new BroadcastChannel(FAULT_CHANNEL);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no worker armed "${fault}" within ${timeoutMs} ms`)), timeoutMs);
    channel.addEventListener('message', (event: MessageEvent<FaultAnswer>) => {
      if (event.data.id !== id) return;
      clearTimeout(timer);
      if (event.data.error === undefined) resolve();
      else reject(new Error(event.data.error));
    });
    channel.postMessage({ id, fault });
  }).finally(() => channel.close());
}
