// Declarations of worker-chunks.mjs for TypeScript tests.
export declare const WORKER_FILE: string;
export declare function workerChunks(dir: string): Promise<{ eager: string[]; lazy: string[] }>;
