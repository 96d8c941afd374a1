/** Persistence of the simulated DMP under --data DIR: registry.json (atomic rewrite) and the documents' bytes. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  readonly file: string;
}

export class SimStore {
  private docs: SimDocument[] = [];

  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'documents'), { recursive: true });
    const f = join(dir, 'registry.json');
    if (existsSync(f)) {
      this.docs = (JSON.parse(readFileSync(f, 'utf8')) as { documents: SimDocument[] }).documents;
    }
  }

  all(): readonly SimDocument[] {
    return this.docs;
  }

  byUniqueId(uniqueId: string): SimDocument | undefined {
    return this.docs.find((d) => d.uniqueId === uniqueId);
  }

  byEntryUuid(entryUuid: string): SimDocument | undefined {
    return this.docs.find((d) => d.entryUuid === entryUuid);
  }

  /** Adds documents, deprecating the replaced ones, then writes the registry atomically. */
  commit(added: readonly { readonly doc: Omit<SimDocument, 'file'>; readonly bytes: Buffer }[], now: Date): void {
    for (const { doc, bytes } of added) {
      const file = `${doc.entryUuid.replace(/[^A-Za-z0-9-]/g, '_')}.xml`;
      writeFileSync(join(this.dir, 'documents', file), bytes);
      this.docs.push({ ...doc, file });
      if (doc.replaces) {
        const old = this.byEntryUuid(doc.replaces);
        if (old) {
          old.status = 'deprecated';
          old.deprecatedAt = now.toISOString();
          old.replacedBy = doc.entryUuid;
        }
      }
    }
    const tmp = join(this.dir, 'registry.json.tmp');
    writeFileSync(tmp, JSON.stringify({ documents: this.docs }, null, 2));
    renameSync(tmp, join(this.dir, 'registry.json'));
  }

  bytesOf(d: SimDocument): Buffer {
    return readFileSync(join(this.dir, 'documents', d.file));
  }
}
