/**
 * Property: whatever the input (random text, random bytes, a valid message with random edits), the HL7 v2 parser
 * either returns a report or throws our GatewayError with at least one issue. Never anything else.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHl7v2, parseHl7v2Batch } from '../../../src/adapters/hl7v2/parse.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { fixture } from './golden.js';

const VALID = fixture('hl7v2', '01-biochemistry-final.hl7').toString('utf8');
const MICRO = fixture('hl7v2', '03-microbiology-isolates.hl7').toString('utf8');

const onlyGatewayErrors = (input: string | Buffer): void => {
  for (const run of [() => parseHl7v2(input), () => parseHl7v2Batch(input)]) {
    try {
      run();
    } catch (e) {
      if (!(e instanceof GatewayError)) {
        throw new Error(`non-GatewayError thrown: ${String(e)}`, { cause: e });
      }
      assert.ok(e.issues.length > 0, 'a refusal lists at least one issue');
      assert.ok(e.status >= 400 && e.status < 500, `refusal status ${e.status}`);
    }
  }
};

/** Characters that matter to HL7 v2 parsing, to make random edits hit delimiters often. */
const hl7Char = fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', 'M', 'S', 'H', 'O', 'B', 'X', 'P', 'I', 'D', '0', '9', '.', '-', ' ', 'é', '\u0000', '\u000b', '\u001c');

const mutate = (base: string): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(fc.nat({ max: base.length }), fc.nat({ max: 5 }), fc.string({ unit: hl7Char, maxLength: 4 })), { minLength: 1, maxLength: 8 })
    .map((edits) => {
      let s = base;
      for (const [pos, del, ins] of edits) {
        const p = Math.min(pos, s.length);
        s = s.slice(0, p) + ins + s.slice(p + del);
      }
      return s;
    });

describe('HL7 v2 parser never throws anything but GatewayError', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => onlyGatewayErrors(s)), { numRuns: 400 });
  });

  it('on arbitrary strings starting with MSH', () => {
    fc.assert(fc.property(fc.string({ unit: hl7Char, maxLength: 300 }), (s) => onlyGatewayErrors(`MSH|^~\\&|${s}`)), { numRuns: 400 });
  });

  it('on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => onlyGatewayErrors(Buffer.from(b))), { numRuns: 400 });
  });

  it('on valid messages with random edits', () => {
    fc.assert(fc.property(mutate(VALID), (s) => onlyGatewayErrors(s)), { numRuns: 600 });
    fc.assert(fc.property(mutate(MICRO), (s) => onlyGatewayErrors(Buffer.from(s, 'latin1'))), { numRuns: 300 });
  });

  it('on valid messages with a segment dropped or duplicated', () => {
    const lines = VALID.split('\r').filter((l) => l !== '');
    fc.assert(
      fc.property(fc.nat({ max: lines.length - 1 }), fc.boolean(), (i, dup) => {
        const copy = [...lines];
        if (dup) {
          copy.splice(i, 0, lines[i] ?? '');
        } else {
          copy.splice(i, 1);
        }
        onlyGatewayErrors(copy.join('\r'));
      }),
      { numRuns: 200 },
    );
  });
});
