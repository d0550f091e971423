/**
 * The fine-tune worker's entry (a second module worker, started only for a fine-tune): all of TF.js's wasm backend
 * and gradients, which the classifier's worker leaves out.
 */
import * as Comlink from 'comlink';
import '@tensorflow/tfjs-backend-wasm';
import { installErrorTransfer } from '../src/worker-api/error-transfer.ts';
import { checkedFineTuneApi } from '../src/worker-api/worker-messages.ts';
import { FineTuneService } from './fine-tune-service.ts';

installErrorTransfer();
Comlink.expose(checkedFineTuneApi(new FineTuneService()));
