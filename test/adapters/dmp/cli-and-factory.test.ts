import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { runSimulateDmp } from '../../../src/cli/commands/simulate-dmp.js';
import { createDmpRoute } from '../../../src/adapters/dmp/factory.js';
import { loadConfig } from '../../../src/config/config.js';
import { deliveryGate, visibilityRulesFrom } from '../../../src/app/deliver.js';
import { ansKit, report, request, uniqueCopy } from './setup.js';

describe('simulate dmp command and the route built from the configuration', () => {
  it('runs the simulator; a sandbox-configured gateway route delivers to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const lines: string[] = [];
    let stop = (): void => undefined;
    const stopped = new Promise<void>((ok) => {
      stop = ok;
    });
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`), env: { DMP_GATEWAY_ANS_KIT: ansKit, DMP_GATEWAY_PKI_PASSPHRASE: 'cli-test' }, cwd: dir };
    const running = runSimulateDmp({ data: join(dir, 'data') }, io, stopped);
    for (let i = 0; i < 300 && lines.length === 0; i++) {
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const info = JSON.parse(lines[0] ?? '{}') as { endpoint: string; pki: string };
    assert.match(info.endpoint, /^https:\/\/127\.0\.0\.1:\d+\/si-dmp-server\/v2\/services$/);
    const config = loadConfig({ env: { DMP_GATEWAY_DMP_ENDPOINT: info.endpoint, DMP_GATEWAY_PKI_DIR: info.pki, DMP_GATEWAY_PKI_PASSPHRASE: 'cli-test', DMP_GATEWAY_DATA_DIR: dir }, sandbox: true });
    const route = createDmpRoute(config, { clock: { now: () => new Date() }, ids: { uuid: () => randomUUID() } });
    const { xml, id } = uniqueCopy('TSH_1');
    const out = await route.submit(request(xml, id));
    assert.equal(out.kind, 'delivered', JSON.stringify(out));
    assert.deepEqual(await route.findByUniqueId(id, '279035121518989'), { found: true, entryUuid: out.kind === 'delivered' ? out.entryUuid : '', status: 'approved' });
    stop();
    assert.equal(await running, 0);
  });

  it('lists every missing setting at once', () => {
    const config = loadConfig({ env: {}, sandbox: false, file: { name: 'c.yaml', text: 'mode: sandbox\nlab:\n  finess: "120459876"\n' } });
    assert.throws(() => createDmpRoute({ ...config, dmp: { ...config.dmp, responsibleId: undefined, visibilityRules: ['x=y'] } }, { clock: { now: () => new Date() }, ids: { uuid: () => randomUUID() } }), (e: { code: string; issues: { path: string }[] }) => {
      assert.equal(e.code, 'DMP_NOT_CONFIGURED');
      assert.deepEqual(e.issues.map((i) => i.path).sort(), ['dmp.endpoint', 'dmp.responsibleId', 'dmp.visibilityRules[0]'].sort());
      return true;
    });
  });

  it('delivery gate: opposed, not requested, ready with visibility', () => {
    const rules = visibilityRulesFrom(['2986-8=MASQUE_PS']);
    assert.equal(deliveryGate(report({ patientOpposed: true }), rules).state, 'opposed');
    assert.equal(deliveryGate(report({ sendToDmp: false }), rules).state, undefined);
    assert.deepEqual(deliveryGate(report({ invisibleToPatient: true }), rules), { state: 'ready', visibility: ['INVISIBLE_PATIENT'] });
    assert.throws(() => visibilityRulesFrom(['nope']), { code: 'CONFIG_INVALID' });
  });
});
