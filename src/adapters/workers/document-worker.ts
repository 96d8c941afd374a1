/**
 * A document worker thread: renders the PDF copy, builds the CR-BIO CDA and runs the conformance gate, off the
 * main thread (which keeps taking reports and talking to the DMP meanwhile). Same code, same bytes as in-process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildDocument } from './build.js';
import { createConformanceGate, type ConformanceGate } from '../validation/gate.js';
import type { DocumentJob, DocumentJobResult, DocumentWorkerData } from './protocol.js';

const data = workerData as DocumentWorkerData;
let gate: Promise<ConformanceGate> | undefined;

const run = async (job: DocumentJob): Promise<DocumentJobResult> => {
  try {
    if (job.kind === 'build') {
      return { id: job.id, ok: true, built: await buildDocument(job.report, job.version, data.cdaSettings) };
    }
    gate ??= createConformanceGate(data.gate);
    if (job.kind === 'validate') {
      return { id: job.id, ok: true, issues: await (await gate).validate(job.xml) };
    }
    const built = await buildDocument(job.report, job.version, data.cdaSettings);
    // The gate parses the document once; the CDA header for delivery is read from that parse.
    const { issues, header } = await (await gate).check(built.xml);
    return { id: job.id, ok: true, built, issues, ...(header ? { header } : {}) };
  } catch (e) {
    return { id: job.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
};

parentPort?.on('message', (job: DocumentJob) => {
  void run(job).then((r) => parentPort?.postMessage(r));
});
