/**
 * Property: the FHIR Bundle reader only ever throws GatewayError, whatever JSON (or non-JSON) it is given, including
 * valid bundles with random elements replaced by random JSON values.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFhirBundle } from '../../../src/adapters/fhir-input/parse.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { fixture } from '../hl7v2/golden.js';

const onlyGatewayErrors = (input: string | Buffer): void => {
  try {
    parseFhirBundle(input);
  } catch (e) {
    if (!(e instanceof GatewayError)) {
      throw new Error(`non-GatewayError thrown: ${String(e)}`, { cause: e });
    }
    assert.ok(e.issues.length > 0);
  }
};

type J = unknown;
/** Paths (as key arrays) to every value in a JSON document. */
const paths = (v: J, prefix: (string | number)[] = []): (string | number)[][] => {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) {
    v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(...paths(x, [...prefix, k]));
    }
  }
  return out;
};
const setAt = (root: J, path: (string | number)[], value: J): J => {
  if (path.length === 0) {
    return value;
  }
  const copy = structuredClone(root) as Record<string | number, J>;
  let cur = copy;
  for (const k of path.slice(0, -1)) {
    cur = cur[k] as Record<string | number, J>;
  }
  cur[path[path.length - 1] as string | number] = value;
  return copy;
};

describe('FHIR reader never throws anything but GatewayError', () => {
  it('on arbitrary JSON values and strings', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => onlyGatewayErrors(JSON.stringify(v))), { numRuns: 300 });
    fc.assert(fc.property(fc.string(), (s) => onlyGatewayErrors(s)), { numRuns: 200 });
  });

  it('on valid bundles with an element replaced by random JSON', () => {
    for (const name of ['01-biochemistry-final', '02-haematology-panel', '04-masked-opposed-pdf', '06-microbiology-isolates']) {
      const bundle = JSON.parse(fixture('fhir', `${name}.json`).toString('utf8')) as J;
      const all = paths(bundle);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.jsonValue({ maxDepth: 2 }), (i, v) => {
          onlyGatewayErrors(JSON.stringify(setAt(bundle, all[i] ?? [], v)));
        }),
        { numRuns: 300 },
      );
    }
  });
});
