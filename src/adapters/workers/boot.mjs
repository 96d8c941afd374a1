// Entry of the gateway's worker threads: TypeScript sources run through tsx here too (a worker does not
// inherit the main thread's loader), then the worker module named in workerData.entry is loaded.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

// libxml2-wasm by plain node first, as bin/dmp-gateway.mjs does: tsx would rewrite its one 1 MB line with a
// per-word source map (seconds of start-up, ~130 MiB never given back).
await import('libxml2-wasm');
register();
await import(workerData.entry);
