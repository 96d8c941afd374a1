/**
 * The tokenizer's Segment against a plain split()-based reading of the same line (the tokenizer before it scanned
 * characters itself): same fields, repetitions, components, sub-components and decoded values, eager or lazy.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_DELIMITERS, decodeComponent, readDelimiters, Segment, splitMessages, toSegments, unescapeHl7, type Delimiters } from '../../../src/adapters/hl7v2/tokenize.js';

const HEADERS = new Set(['MSH', 'FHS', 'BHS']);

/** Reference reading with String.split at every level. */
const reference = (line: string, d: Delimiters) => {
  const parts = line.split(d.field);
  const header = HEADERS.has(line.slice(0, 3));
  const fields = header ? [parts[0] ?? '', d.field, ...parts.slice(1)] : parts;
  const isDelimiterField = (n: number): boolean => header && (n === 1 || n === 2);
  const rawField = (n: number): string => fields[n] ?? '';
  const rawRepetitions = (n: number): string[] => {
    const f = rawField(n);
    return f === '' ? [] : isDelimiterField(n) ? [f] : f.split(d.repetition);
  };
  const get = (n: number, c: number, s: number, r: number): string => {
    const rep = rawRepetitions(n)[r - 1];
    if (rep === undefined) {
      return '';
    }
    if (isDelimiterField(n)) {
      return c === 1 && s === 1 ? rep : '';
    }
    const comp = rep.split(d.component)[c - 1];
    if (comp === undefined) {
      return '';
    }
    const sub = comp.split(d.subcomponent)[s - 1];
    return sub === undefined ? '' : unescapeHl7(sub, d);
  };
  return { fieldCount: fields.length - 1, rawField, rawRepetitions, get };
};

const assertSameAsReference = (seg: Segment, line: string, d: Delimiters): void => {
  const ref = reference(line, d);
  assert.equal(seg.fieldCount, ref.fieldCount, 'fieldCount');
  for (let n = 0; n <= ref.fieldCount + 1; n++) {
    assert.equal(seg.rawField(n), ref.rawField(n), `rawField(${n})`);
    assert.deepEqual(seg.rawRepetitions(n), ref.rawRepetitions(n), `rawRepetitions(${n})`);
    assert.equal(seg.repetitionCount(n), ref.rawRepetitions(n).length, `repetitionCount(${n})`);
    for (let r = 1; r <= 3; r++) {
      for (let c = 1; c <= 4; c++) {
        for (let s = 1; s <= 3; s++) {
          assert.equal(seg.get(n, c, s, r), ref.get(n, c, s, r), `get(${n}, ${c}, ${s}, ${r})`);
        }
      }
    }
  }
};

const CUSTOM: Delimiters = { field: '#', component: '$', repetition: '*', escape: '!', subcomponent: '%' };

const lineArb = (d: Delimiters): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom('MSH', 'OBX', 'PID', 'FHS', 'NTE'),
      fc.string({ unit: fc.constantFrom(d.field, d.component, d.repetition, d.escape, d.subcomponent, 'F', 'S', 'T', 'R', 'E', 'X', '4', '1', '.', 'b', 'r', '"', ' ', 'é'), maxLength: 60 }),
    )
    .map(([name, rest]) => name + rest);

describe('Segment', () => {
  for (const [label, d] of [
    ['default delimiters', DEFAULT_DELIMITERS],
    ['custom delimiters', CUSTOM],
  ] as const) {
    it(`reads every field like split() does, eager or lazy (${label})`, () => {
      fc.assert(
        fc.property(lineArb(d), fc.boolean(), (line, eager) => {
          assertSameAsReference(new Segment(line, d, 1, { eager }), line, d);
        }),
        { numRuns: 1500 },
      );
    });

    it(`decodeComponent reads a raw repetition like split() does (${label})`, () => {
      fc.assert(
        fc.property(lineArb(d), (line) => {
          const ref = reference(line, d);
          for (let n = 3; n <= ref.fieldCount; n++) {
            ref.rawRepetitions(n).forEach((rep, i) => {
              for (let c = 1; c <= 4; c++) {
                for (let s = 1; s <= 3; s++) {
                  assert.equal(decodeComponent(rep, d, c, s), ref.get(n, c, s, i + 1));
                }
              }
            });
          }
        }),
        { numRuns: 500 },
      );
    });
  }

  it('numbers MSH fields from the separator: MSH-1 and MSH-2 as written, MSH-3 on', () => {
    const msh = new Segment('MSH|^~\\&|SIL^LAB|FAC||', DEFAULT_DELIMITERS, 1);
    assert.equal(msh.get(1), '|');
    assert.equal(msh.get(2), '^~\\&');
    assert.equal(msh.get(2, 2), '');
    assert.equal(msh.get(3, 2), 'LAB');
    assert.equal(msh.get(4), 'FAC');
    assert.equal(msh.fieldCount, 6);
    assert.equal(msh.repetitionCount(5), 0);
  });

  it('decodes escape sequences, sub-components, repetitions and the HL7 null', () => {
    const obx = new Segment('OBX|1|TX|a&b^c~d^\\F\\\\S\\\\T\\\\R\\\\E\\\\X41\\\\.br\\x||""|x&""', DEFAULT_DELIMITERS, 3, { eager: true });
    assert.equal(obx.label, 'OBX[3]');
    assert.equal(obx.get(3, 1, 1), 'a');
    assert.equal(obx.get(3, 1, 2), 'b');
    assert.equal(obx.get(3, 2), 'c');
    assert.equal(obx.get(3, 1, 1, 2), 'd');
    assert.equal(obx.get(3, 2, 1, 2), '|^&~\\A\nx');
    assert.equal(obx.repetitionCount(3), 2);
    assert.equal(obx.get(5), '');
    assert.equal(obx.rawField(5), '""');
    assert.equal(obx.get(6, 1, 2), '');
    assert.equal(obx.get(6, 1, 1), 'x');
  });

  it('reads custom delimiters from MSH-1/MSH-2', () => {
    const text = 'MSH#$*!%#SIL$LAB#\rPID#1#ID1$$$AUTH%1.2.3*ID2#x!S!y';
    const [lines = []] = splitMessages(text).messages;
    const d = readDelimiters(lines[0] ?? '');
    assert.deepEqual(d, CUSTOM);
    const [msh, pid] = toSegments(lines, CUSTOM, { eager: true });
    assert.equal(msh?.get(3, 2), 'LAB');
    assert.equal(pid?.get(2, 4, 2), '1.2.3');
    assert.equal(pid?.get(2, 1, 1, 2), 'ID2');
    assert.equal(pid?.get(3), 'x$y');
  });
});
