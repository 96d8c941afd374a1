/**
 * The main thread's side of the document worker: one worker thread, started on first use, doing the CPU-heavy
 * part of processing (PDF, CDA, conformance gate) so that intake and delivery are not held up by it.
 * A worker that dies fails its jobs with DOCUMENT_WORKER_FAILED (the document is then quarantined, nothing is
 * sent; `replay` takes it again) and the next job starts a new worker.
 */
import { Worker } from 'node:worker_threads';
import { GatewayError } from '../../core/errors/index.js';
import type { LabReport } from '../../core/report/model.js';
import type { BuiltDocument, CdaSettings, DocumentVersion } from '../../core/cda/index.js';
import type { Issue } from '../../core/validation/issue.js';
import type { CdaHeader } from '../../core/xds/cda-header.js';
import type { DocumentJob, DocumentJobResult, DocumentWorkerData } from './protocol.js';

export interface DocumentWorkerOptions {
  readonly cdaSettings: CdaSettings;
  readonly gate: { readonly ansKit?: string; readonly schematron?: boolean };
}

type Pending = { resolve: (r: DocumentJobResult) => void; reject: (e: Error) => void };
type Job = DocumentJob extends infer J ? (J extends DocumentJob ? Omit<J, 'id'> : never) : never;

const BOOT = new URL('./boot.mjs', import.meta.url);
/**
 * The worker's young generation: 12 MiB (semi-spaces of 4 MiB) instead of V8's default (semi-spaces of up to
 * 16 MiB). It builds one document at a time, so a small nursery costs no measurable time, and the process keeps
 * ~40 MiB less after building documents (bench/README.md, Memory). The old generation is left unbounded: a bound
 * would turn a large report into an out-of-memory quarantine.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 12 };
const ENTRY = new URL('./document-worker.ts', import.meta.url).href;

export class DocumentWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly o: DocumentWorkerOptions) {}

  private start(): Worker {
    const data: DocumentWorkerData = { entry: ENTRY, cdaSettings: this.o.cdaSettings, gate: this.o.gate };
    const w = new Worker(BOOT, { workerData: data, resourceLimits: WORKER_LIMITS });
    w.on('message', (r: DocumentJobResult) => {
      const p = this.pending.get(r.id);
      if (p) {
        this.pending.delete(r.id);
        p.resolve(r);
      }
    });
    const fail = (why: string): void => {
      if (this.worker === w) {
        this.worker = undefined;
      }
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new GatewayError('DOCUMENT_WORKER_FAILED', `The document worker stopped (${why}); the document was not built.`));
      }
    };
    w.on('error', (e) => fail(e.message));
    w.on('exit', (code) => fail(`exit code ${code}`));
    return w;
  }

  private async run(job: Job): Promise<DocumentJobResult> {
    if (this.closed) {
      throw new GatewayError('DOCUMENT_WORKER_FAILED', 'The document worker is closed.');
    }
    this.worker ??= this.start();
    const id = this.nextId++;
    const w = this.worker;
    const r = await new Promise<DocumentJobResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...job, id });
    });
    if (!r.ok) {
      throw new Error(r.message);
    }
    return r;
  }

  async build(report: LabReport, version: DocumentVersion): Promise<BuiltDocument> {
    const r = await this.run({ kind: 'build', report, version });
    if (!r.ok || !r.built) {
      throw new Error('the document worker returned no document');
    }
    return r.built;
  }

  /** Build, then the conformance gate on what was built, in one round trip; with the CDA header the gate read. */
  async buildChecked(report: LabReport, version: DocumentVersion): Promise<{ built: BuiltDocument; issues: readonly Issue[]; header?: CdaHeader }> {
    const r = await this.run({ kind: 'buildChecked', report, version });
    if (!r.ok || !r.built) {
      throw new Error('the document worker returned no document');
    }
    return { built: r.built, issues: r.issues ?? [], ...(r.header ? { header: r.header } : {}) };
  }

  async validate(xml: string): Promise<readonly Issue[]> {
    const r = await this.run({ kind: 'validate', xml });
    return r.ok ? (r.issues ?? []) : [];
  }

  /** For tests: the worker thread, if one is running. */
  get thread(): Worker | undefined {
    return this.worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}
