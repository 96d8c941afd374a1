/** Persistence of the simulated DMP under --data DIR: registry.jsonl (an append-only journal) and the documents' bytes (documents.bin). */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface SimDocument {
  readonly entryUuid: string;
  readonly uniqueId: string;
  readonly setId?: string;
  readonly versionNumber?: number;
  readonly patientIns: string;
  readonly patientId: string;
  status: 'approved' | 'deprecated';
  readonly receivedAt: string;
  deprecatedAt?: string;
  replacedBy?: string;
  readonly replaces?: string;
  readonly submissionSetUniqueId: string;
  readonly hash: string;
  readonly size: number;
  readonly confidentialityCodes: readonly string[];
  readonly title: string;
  readonly route: 'xds' | 'mhd';
  /** XAdES verified (xds) — MHD has no submission-set signature. */
  readonly signatureVerified: boolean;
  /** Where its bytes are in documents.bin: [offset, length]. */
  readonly blob?: readonly [number, number];
  /** Its bytes in documents/<file> (registries written before documents.bin). */
  readonly file?: string;
}

/** One line of registry.jsonl: what one commit added and deprecated. */
interface CommitRecord {
  readonly added: readonly SimDocument[];
  readonly deprecated: readonly { readonly entryUuid: string; readonly at: string; readonly by: string }[];
}

/**
 * The registry is kept in memory, indexed by uniqueId and entryUuid, and persisted as an append-only journal
 * (registry.jsonl, one line per commit, written before the submission is answered): a commit costs the size of
 * what it adds, not the size of the registry. The documents' bytes are appended to documents.bin before the
 * line that points to them (a file opened once, not one file created per document). Reopening replays the
 * journal; a torn last line (a crash while appending) is the commit that was never answered, and is dropped
 * (bytes appended for it are left unreferenced).
 */
export class SimStore {
  private readonly docs: SimDocument[] = [];
  private readonly byUnique = new Map<string, SimDocument>();
  private readonly byEntry = new Map<string, SimDocument>();
  private readonly journal: string;
  private readonly blobs: string;
  private journalFd: number | undefined;
  private blobFd: number | undefined;

  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'documents'), { recursive: true });
    this.journal = join(dir, 'registry.jsonl');
    this.blobs = join(dir, 'documents.bin');
    if (existsSync(this.journal)) {
      const text = readFileSync(this.journal, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) {
        writeFileSync(this.journal, text.slice(0, text.lastIndexOf('\n') + 1)); // so that the next line starts clean
      }
      for (const line of text.split('\n')) {
        let record: CommitRecord;
        try {
          record = JSON.parse(line) as CommitRecord;
        } catch {
          continue;
        }
        this.apply(record);
      }
    }
  }

  private apply(r: CommitRecord): void {
    for (const d of r.added) {
      const doc = { ...d };
      this.docs.push(doc);
      this.byUnique.set(doc.uniqueId, doc);
      this.byEntry.set(doc.entryUuid, doc);
    }
    for (const x of r.deprecated) {
      const old = this.byEntry.get(x.entryUuid);
      if (old) {
        old.status = 'deprecated';
        old.deprecatedAt = x.at;
        old.replacedBy = x.by;
      }
    }
  }

  all(): readonly SimDocument[] {
    return this.docs;
  }

  byUniqueId(uniqueId: string): SimDocument | undefined {
    return this.byUnique.get(uniqueId);
  }

  byEntryUuid(entryUuid: string): SimDocument | undefined {
    return this.byEntry.get(entryUuid);
  }

  /** Adds documents, deprecating the replaced ones: the bytes first, then one journal line, then memory. */
  commit(added: readonly { readonly doc: Omit<SimDocument, 'file'>; readonly bytes: Buffer }[], now: Date): void {
    const docs: SimDocument[] = [];
    const deprecated: { entryUuid: string; at: string; by: string }[] = [];
    this.blobFd ??= openSync(this.blobs, 'a');
    for (const { doc, bytes } of added) {
      const offset = fstatSync(this.blobFd).size;
      for (let done = 0; done < bytes.byteLength;) {
        done += writeSync(this.blobFd, bytes, done);
      }
      const { blob: _ignored, ...fields } = doc;
      docs.push({ ...fields, blob: [offset, bytes.byteLength] });
      if (doc.replaces && (this.byEntry.has(doc.replaces) || added.some((a) => a.doc.entryUuid === doc.replaces))) {
        deprecated.push({ entryUuid: doc.replaces, at: now.toISOString(), by: doc.entryUuid });
      }
    }
    const record: CommitRecord = { added: docs, deprecated };
    this.journalFd ??= openSync(this.journal, 'a');
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    for (let done = 0; done < line.byteLength;) {
      done += writeSync(this.journalFd, line, done);
    }
    this.apply(record);
  }

  bytesOf(d: SimDocument): Buffer {
    if (!d.blob) {
      return readFileSync(join(this.dir, 'documents', d.file ?? ''));
    }
    const [offset, length] = d.blob;
    const out = Buffer.alloc(length);
    const fd = openSync(this.blobs, 'r');
    try {
      for (let done = 0; done < length;) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) {
          throw new Error(`documents.bin ends before the bytes of ${d.entryUuid}`);
        }
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
}
