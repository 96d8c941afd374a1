/**
 * Bad-input corpus: malformed ORU^R01 messages, each refused with a GatewayError whose code and first error path
 * say exactly what and where. Most are one mutation of a valid message, so that each case fails for one reason.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseHl7v2, parseHl7v2Batch } from '../../../src/adapters/hl7v2/parse.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { BAD_CASES as CASES } from './bad-cases.js';

describe('bad-input corpus: each malformed message is refused with a clear code and path', () => {
  it('has at least 60 cases', () => {
    assert.ok(CASES.length >= 60, `${CASES.length} cases`);
  });
  for (const c of CASES) {
    it(c.name, () => {
      let caught: unknown;
      try {
        if (c.batch) {
          parseHl7v2Batch(c.input);
        } else {
          parseHl7v2(c.input);
        }
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof GatewayError, `expected a GatewayError, got ${String(caught)}`);
      assert.equal(caught.code, c.code, JSON.stringify(caught.issues));
      const firstError = caught.issues.find((i) => i.severity === 'error');
      assert.equal(firstError?.path, c.path, JSON.stringify(caught.issues));
      assert.ok(caught.status >= 400 && caught.status < 500);
      assert.ok(caught.message.length > 10);
      // No patient data in the messages: the birth name and INS of the base message never appear.
      for (const i of caught.issues) {
        assert.ok(!i.message.includes('MARTIN') && !i.message.includes('185076912304596'), i.message);
      }
    });
  }
});
