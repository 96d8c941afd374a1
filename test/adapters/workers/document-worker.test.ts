import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentWorker } from '../../../src/adapters/workers/pool.js';
import { buildDocument } from '../../../src/adapters/workers/build.js';
import { createConformanceGate } from '../../../src/adapters/validation/gate.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { readCdaHeader } from '../../../src/core/xds/cda-header.js';
import { inThreadDocuments } from '../../../src/wiring/pipeline.js';
import { loadReport, testSettings, versionFor } from '../../fixtures/cda/settings.js';
import { ANS_KIT } from '../../helpers/gateway-process.js';

describe('document worker thread (PDF, CDA and conformance gate off the main thread)', () => {
  const worker = new DocumentWorker({ cdaSettings: testSettings, gate: { ansKit: ANS_KIT, schematron: false } });
  after(() => worker.close());

  it('builds the same bytes as the main thread, and its gate finds the same issues', async () => {
    const gate = await createConformanceGate({ ansKit: ANS_KIT, schematron: false });
    for (const name of ['tsh', 'micro_v1']) {
      const report = loadReport(name);
      const version = versionFor(1, name);
      const there = await worker.build(report, version);
      const here = await buildDocument(report, version, testSettings);
      assert.equal(there.xml, here.xml, name);
      assert.deepEqual(there.issues, here.issues, name);
      assert.deepEqual(await worker.validate(there.xml), await gate.validate(here.xml), name);
      // Build and gate in one round trip: the same document and issues as the two steps.
      const checked = await worker.buildChecked(report, version);
      assert.equal(checked.built.xml, here.xml, name);
      assert.deepEqual(checked.issues, await gate.validate(here.xml), name);
      // …and the CDA header read from the gate's parse: the one delivery would read from the text.
      assert.ok(checked.header?.uniqueId, name);
      assert.deepEqual(checked.header, readCdaHeader(here.xml).header, name);
      // A broken document: the same errors, with their XPaths, from both.
      const broken = here.xml.replace(/<title>[^<]*<\/title>/, '<title>Autre</title>').replace(/<setId [^>]*\/>/, '');
      const issues = await worker.validate(broken);
      assert.ok(issues.some((i) => i.severity === 'error' && i.code === 'CDA_TITLE'), name);
      assert.deepEqual(issues, await gate.validate(broken), name);
    }
  });

  it('without the worker (outbox.documentWorker off), building on the main thread gives the same document, issues and header', async () => {
    const here = await inThreadDocuments(testSettings, { ansKit: ANS_KIT, schematron: false });
    const report = loadReport('micro_v2');
    const version = versionFor(2, 'micro_v2');
    const there = await worker.buildChecked(report, version);
    const local = await here.buildChecked?.(report, version);
    assert.ok(local?.header?.replacesUniqueId);
    assert.equal(local.built.xml, there.built.xml);
    assert.deepEqual(local.issues, there.issues);
    assert.deepEqual(local.header, there.header);
  });

  it('fails the jobs of a worker that dies with DOCUMENT_WORKER_FAILED, and the next job gets a new worker', async () => {
    const report = loadReport('tsh');
    await worker.build(report, versionFor(1, 'tsh'));
    const first = worker.thread;
    assert.ok(first);
    // Jobs queued behind one another, then the thread dies: a build takes ~1 ms now, so one pending job could be done
    // before the termination lands; of 50, the later ones are still waiting. Each fails, none is left hanging.
    const pending = Array.from({ length: 50 }, () => worker.build(report, versionFor(2, 'tsh')));
    await first.terminate();
    const settled = await Promise.allSettled(pending);
    const failed = settled.filter((r) => r.status === 'rejected');
    assert.ok(failed.length > 0, 'jobs pending when the worker died fail');
    for (const r of failed) {
      assert.ok(r.reason instanceof GatewayError && r.reason.code === 'DOCUMENT_WORKER_FAILED', String(r.reason));
    }
    const again = await worker.build(report, versionFor(2, 'tsh'));
    assert.match(again.xml, /<versionNumber value="2"\/>/);
    assert.notEqual(worker.thread, first);
  });
});
