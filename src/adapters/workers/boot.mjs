// Entry of the gateway's worker threads: TypeScript sources run through tsx here too (a worker does not
// inherit the main thread's loader), then the worker module named in workerData.entry is loaded.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
