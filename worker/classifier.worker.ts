/** The module worker's entry: it only exposes the service. */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../src/worker-api/error-transfer.ts';
import { ClassifierService } from './classifier-service.ts';

installErrorTransfer();
Comlink.expose(new ClassifierService());
