/** Golden-file helper for intake tests: compares with test/fixtures/labreport-golden/NAME.json (UPDATE_GOLDEN=1 rewrites). */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixture = (...p: string[]): Buffer => readFileSync(path.join(repoRoot, 'test', 'fixtures', ...p));

export const assertGolden = (name: string, actual: unknown): void => {
  const file = path.join(repoRoot, 'test', 'fixtures', 'labreport-golden', `${name}.json`);
  const json = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    writeFileSync(file, json);
  }
  assert.ok(existsSync(file), `golden ${name} is missing (run with UPDATE_GOLDEN=1, then check it by hand)`);
  assert.deepEqual(JSON.parse(json), JSON.parse(readFileSync(file, 'utf8')), `golden ${name} differs`);
};
