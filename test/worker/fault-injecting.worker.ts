/**
 * A test-only worker entry: the product's service, plus faults a recovery
 * test can ask for over a BroadcastChannel. Built by the test server only
 * (scripts/worker-bundle-plugin.mjs bundles any `*.worker.ts` it is asked
 * for); the shipped worker and client have none of this.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../src/worker-api/error-transfer.ts';
import { checkedWorkerApi } from '../../src/worker-api/worker-messages.ts';
import type { FrameRequest, FrameResult } from '../../src/worker-api/classifier-worker-api.ts';
import { activeWebglContext } from '../../worker/backend.ts';
import { ClassifierService } from '../../worker/classifier-service.ts';
import { FAULT_CHANNEL, type FaultAnswer, type FaultRequest, type SimulatedFault } from './fault-channel.ts';

/** How long a hung classify() stays busy: longer than any watchdog a test sets, short enough to end by itself if terminate() lags. */
const HANG_MS = 10_000;

class FaultInjectingService extends ClassifierService {
  /** Set by the `hang` fault: the next classify() stops answering. */
  hangNextCall = false;

  override async classify(frame: ImageBitmap, request: FrameRequest): Promise<FrameResult> {
    if (this.hangNextCall) {
      this.hangNextCall = false;
      const until = Date.now() + HANG_MS;
      while (Date.now() < until) {
        // Busy on purpose: a worker that stops answering.
      }
    }
    return super.classify(frame, request);
  }
}

const service = new FaultInjectingService();

function arm(fault: SimulatedFault): void {
  switch (fault) {
    case 'context-loss': {
      const extension = activeWebglContext()?.getExtension('WEBGL_lose_context');
      if (extension === undefined || extension === null)
        throw new Error('context-loss needs the webgl backend with WEBGL_lose_context.');
      extension.loseContext();
      return;
    }
    case 'uncaught-error':
      setTimeout(() => {
        throw new Error('Simulated uncaught error in the classifier worker.');
      });
      return;
    case 'hang':
      // The next call stalls, not a timer: a frame posted right after the answer could reach
      // the worker before a 0 ms timer ran (WebKit did, 1 run in 10) and be answered.
      service.hangNextCall = true;
      return;
  }
}

const channel = new BroadcastChannel(FAULT_CHANNEL);
channel.addEventListener('message', (event: MessageEvent<FaultRequest>) => {
  const { id, fault } = event.data;
  let answer: FaultAnswer = { id };
  try {
    arm(fault);
  } catch (error) {
    answer = { id, error: String(error) };
  }
  channel.postMessage(answer);
});

installErrorTransfer();
Comlink.expose(checkedWorkerApi(service));
