import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/index.js';
import type { Io } from '../../../src/cli/command.js';
import { tempDir } from '../../helpers/db.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../../helpers/pki.js';

const capture = (env: Record<string, string> = {}, cwd = process.cwd()): Io & { lines: string[]; errs: string[] } => {
  const lines: string[] = [];
  const errs: string[] = [];
  return { lines, errs, out: (l) => lines.push(l), err: (l) => errs.push(l), env, cwd };
};

describe('dmp-gateway ins', () => {
  it('ins nir prints JSON with valid and the reason; exit 0 / 1', async () => {
    const ok = capture();
    assert.equal(await main(['ins', 'nir', '297022A020778', '78'], ok), 0);
    const r = JSON.parse(ok.lines.join('\n')) as { valid: boolean; reason: string; parts: { place: { department: string } } };
    assert.equal(r.valid, true);
    assert.equal(r.parts.place.department, '2A');
    const bad = capture();
    assert.equal(await main(['ins', 'nir', '181036322045660'], bad), 1);
    const b = JSON.parse(bad.lines.join('\n')) as { valid: boolean; problems: { code: string }[]; expectedKey: string };
    assert.equal(b.valid, false);
    assert.equal(b.problems[0]?.code, 'NIR_KEY_MISMATCH');
    assert.equal(b.expectedKey, '76');
    const oid = capture();
    assert.equal(await main(['ins', 'nir', '279035121518989', '--oid', '1.2.250.1.213.1.4.5'], oid), 1);
    assert.equal(await main(['ins'], capture()), 2);
  });

  it('ins check runs a CSV against the in-process INSi simulator in sandbox and writes CSV', async () => {
    const pki = testPki();
    const dir = tempDir();
    writeFileSync(join(dir, 'in.csv'), 'id,birthName,birthGivenNames,sex,birthDate,birthPlaceCog\n1,ADRTROIS,DOMINIQUE,F,1997-02-26,2A020\n2,TCHITCHI,OLA,F,1936-06-21,63220\n');
    const io = capture({ DMP_GATEWAY_DATA_DIR: dir, DMP_GATEWAY_PKI_DIR: pki.dir, DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE }, dir);
    assert.equal(await main(['ins', 'check', 'in.csv', '--sandbox', '--out', 'out.json'], io), 0, io.errs.join('\n'));
    const { readFileSync } = await import('node:fs');
    const results = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { id: string; insiCode: string; recommendation: string; ins?: string }[];
    assert.deepEqual(results.map((r) => [r.id, r.insiCode, r.recommendation, r.ins ?? '']), [
      ['1', '00', 'CAN_BECOME_RECUP', '297022A02077878'],
      ['2', '01', 'NOT_FOUND', ''],
    ]);
  });
});
