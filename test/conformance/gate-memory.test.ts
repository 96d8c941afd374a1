/**
 * The gate disposes every libxml2 document it parses: the WebAssembly memory stops growing after a warm-up, and
 * libxml2-wasm's own tracker sees no live XmlDocument. libxml2-wasm does not expose its wasm memory, so it is
 * caught at instantiation, before the library is first imported (hence the dynamic imports below).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goldenDir, repoRoot } from '../fixtures/cda/settings.js';

// the global WebAssembly object, typed here (the project's TypeScript lib has no DOM/WebAssembly declarations)
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface Wasm {
  instantiate: (...args: unknown[]) => Promise<unknown>;
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
const memories: WasmMemory[] = [];
const instantiate = wasm.instantiate.bind(wasm);
const catchMemory = (r: unknown): unknown => {
  const instance = (r as { instance?: { exports: object } }).instance ?? (r as { exports: object });
  for (const e of Object.values(instance.exports)) {
    if (e instanceof wasm.Memory) {
      memories.push(e);
    }
  }
  return r;
};
wasm.instantiate = async (...args: unknown[]) => catchMemory(await instantiate(...args));

const ANS_KIT = path.resolve(repoRoot, '..', 'shared', 'reference', 'cda');
const golden = (n: string): string => readFileSync(path.join(goldenDir, `${n}.xml`), 'utf8');

describe('conformance gate memory', () => {
  it('parses, validates and checks hundreds of documents without growing the wasm memory or leaving documents', async () => {
    const { diag } = await import('libxml2-wasm');
    const { ownRulesAndXsd } = await import('../../src/adapters/validation/gate.js');
    const { CdaXsdValidator } = await import('../../src/adapters/validation/xsd.js');
    const { brokenDocuments } = await import('../fixtures/cda/broken.js');
    assert.equal(memories.length, 1, 'the libxml2 wasm memory was caught');
    const memory = memories[0]!;
    const xsd = new CdaXsdValidator(ANS_KIT);
    const micro = golden('micro_v2');
    const docs = [
      micro,
      golden('tsh'),
      micro.replace('<languageCode code="fr-FR"/>', '<languageCode code="fr-FR"/><colour/>'), // an XSD error
      ...brokenDocuments().map((d) => d.xml), // every rule broken, not well-formed, forbidden characters
    ];
    const round = (): void => {
      for (const xml of docs) {
        ownRulesAndXsd(xml, xsd);
        ownRulesAndXsd(xml, undefined);
      }
    };
    for (let i = 0; i < 2; i++) {
      round();
    }
    diag.configure({ enabled: true });
    const before = memory.buffer.byteLength;
    for (let i = 0; i < 4; i++) {
      round();
    }
    const report = diag.report() as Record<string, { totalInstances: number } | undefined>;
    diag.configure({ enabled: false });
    assert.equal(report['XmlDocument']?.totalInstances ?? 0, 0, 'no XmlDocument left undisposed');
    assert.equal(memory.buffer.byteLength, before, `wasm memory grew from ${before} to ${memory.buffer.byteLength} bytes`);
  });
});
