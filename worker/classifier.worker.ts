/** The module worker's entry: it only exposes the service, behind the checks of its call arguments. */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../src/worker-api/error-transfer.ts';
import { checkedWorkerApi } from '../src/worker-api/worker-messages.ts';
import { ClassifierService } from './classifier-service.ts';

installErrorTransfer();
Comlink.expose(checkedWorkerApi(new ClassifierService()));
