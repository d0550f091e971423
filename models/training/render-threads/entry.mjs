// worker_threads cannot load TypeScript by themselves even under tsx (its loader is not
// inherited by workers on Node 20): register it here, then run the TypeScript worker.
import { tsImport } from 'tsx/esm/api';

await tsImport('./render-thread.ts', import.meta.url);
