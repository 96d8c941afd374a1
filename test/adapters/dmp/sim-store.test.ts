import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimStore, type SimDocument } from '../../../conformance/dmp/store.js';
import { tempDir } from '../../helpers/db.js';

const doc = (n: number, replaces?: string): Omit<SimDocument, 'file'> => ({
  entryUuid: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  uniqueId: `1.2.250.1.999.${n}`,
  patientIns: '279035121518989',
  patientId: '279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH',
  status: 'approved',
  receivedAt: '2026-11-26T00:00:00.000Z',
  submissionSetUniqueId: `1.2.250.1.999.9${n}`,
  hash: 'h',
  size: 1,
  confidentialityCodes: [],
  title: 'CR',
  route: 'xds',
  signatureVerified: true,
  ...(replaces ? { replaces } : {}),
});

describe('DMP simulator registry (append-only journal)', () => {
  it('keeps documents, replacements and bytes across a reopen, and drops a torn last line', () => {
    const dir = tempDir('sim-store-');
    const a = new SimStore(dir);
    a.commit([{ doc: doc(1), bytes: Buffer.from('<one/>') }], new Date('2026-11-26T01:00:00Z'));
    a.commit([{ doc: doc(2, doc(1).entryUuid), bytes: Buffer.from('<two/>') }], new Date('2026-11-26T02:00:00Z'));
    assert.equal(a.byUniqueId('1.2.250.1.999.1')?.status, 'deprecated');
    // A crash in the middle of appending a third commit: half a line.
    appendFileSync(join(dir, 'registry.jsonl'), '{"added":[{"entryUuid":"urn:uu');
    const b = new SimStore(dir);
    assert.equal(b.all().length, 2);
    const first = b.byEntryUuid(doc(1).entryUuid);
    assert.equal(first?.status, 'deprecated');
    assert.equal(first?.replacedBy, doc(2).entryUuid);
    assert.equal(first?.deprecatedAt, '2026-11-26T02:00:00.000Z');
    assert.equal(b.byUniqueId('1.2.250.1.999.2')?.status, 'approved');
    assert.equal(b.bytesOf(b.byUniqueId('1.2.250.1.999.2')!).toString(), '<two/>');
    assert.equal(b.byUniqueId('1.2.250.1.999.3'), undefined);
    // The next commit after the torn line is kept.
    b.commit([{ doc: doc(3), bytes: Buffer.from('<three/>') }], new Date('2026-11-26T03:00:00Z'));
    assert.equal(new SimStore(dir).byUniqueId('1.2.250.1.999.3')?.status, 'approved');
    // One line per commit: the journal grows by what a commit adds.
    assert.equal(readFileSync(join(dir, 'registry.jsonl'), 'utf8').split('\n').filter((l) => l.startsWith('{"added":[{"entryUuid":"urn:uuid:0')).length, 3);
  });

  it('appends the bytes of every commit to documents.bin, and still reads a registry whose bytes are one file per document', () => {
    const dir = tempDir('sim-store-');
    const a = new SimStore(dir);
    a.commit([{ doc: doc(1), bytes: Buffer.from('<one/>') }, { doc: doc(2), bytes: Buffer.from('<two>é</two>') }], new Date('2026-11-26T01:00:00Z'));
    a.commit([{ doc: doc(3), bytes: Buffer.from('<three/>') }], new Date('2026-11-26T02:00:00Z'));
    assert.equal(readFileSync(join(dir, 'documents.bin'), 'utf8'), '<one/><two>é</two><three/>');
    const b = new SimStore(dir);
    assert.deepEqual([1, 2, 3].map((n) => b.bytesOf(b.byUniqueId(`1.2.250.1.999.${n}`)!).toString()), ['<one/>', '<two>é</two>', '<three/>']);

    const old = tempDir('sim-store-');
    mkdirSync(join(old, 'documents'), { recursive: true });
    writeFileSync(join(old, 'documents', 'd4.xml'), '<four/>');
    writeFileSync(join(old, 'registry.jsonl'), `${JSON.stringify({ added: [{ ...doc(4), file: 'd4.xml' }], deprecated: [] })}\n`);
    const c = new SimStore(old);
    assert.equal(c.bytesOf(c.byUniqueId('1.2.250.1.999.4')!).toString(), '<four/>');
    c.commit([{ doc: doc(5), bytes: Buffer.from('<five/>') }], new Date('2026-11-26T03:00:00Z'));
    assert.equal(new SimStore(old).bytesOf(c.byUniqueId('1.2.250.1.999.5')!).toString(), '<five/>');
  });
});
