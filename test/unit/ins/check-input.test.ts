import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckCsv, parseCheckJson, splitCsv } from '../../../src/app/identity-check-input.js';
import { checkResultsToCsv } from '../../../src/app/identity-checks.js';

describe('identities to check: CSV and JSON input', () => {
  it('splits CSV with quotes, doubled quotes, CRLF and a semicolon separator', () => {
    assert.deepEqual(splitCsv('a;b\r\n"x;1";"say ""hi"""\r\n'), [['a', 'b'], ['x;1', 'say "hi"']]);
    assert.deepEqual(splitCsv('a,b\n1,2'), [['a', 'b'], ['1', '2']]);
  });
  it('reads French column names, DD/MM/YYYY dates, DOUTE/FICTI attributes and the evidence', () => {
    const { rows, issues } = parseCheckCsv('IPP;Nom naissance;Prénoms;Sexe;Date naissance;Lieu naissance;Statut;Attributs;Justificatif\n42;ADRUN;ZOE;f;31/12/1975;63220;vali;DOUTE;CNI\n');
    assert.equal(issues.filter((i) => i.severity === 'error').length, 0);
    assert.equal(rows[0]?.id, '42');
    assert.deepEqual(rows[0]?.identity, { birthName: 'ADRUN', birthGivenNames: 'ZOE', sex: 'F', birthDate: '1975-12-31', status: 'VALI', attributes: ['DOUT'], birthPlaceCog: '63220', evidence: { documentType: 'CNI' } });
  });
  it('names every problem with its row and field', () => {
    const { rows, issues } = parseCheckCsv('id,birthName,birthGivenNames,sex,birthDate,status,colour\n1,,ZOE,Z,1975/12/31,GOLD,blue\n');
    assert.equal(rows.length, 0);
    assert.deepEqual(issues.map((i) => `${i.severity}:${i.path}`).sort(), ['error:row[1].birthDate', 'error:row[1].birthName', 'error:row[1].sex', 'error:row[1].status', 'warning:row[0].7']);
  });
  it('accepts {identities: [...]} and refuses a non-array', () => {
    assert.equal(parseCheckJson({ identities: [{ birthName: 'A', birthGivenNames: 'B', sex: 'M', birthDate: '2000-00-00' }] }).rows.length, 1);
    assert.equal(parseCheckJson({ x: 1 }).issues[0]?.path, '$');
  });
  it('writes CSV that quotes explanations with commas', () => {
    const csv = checkResultsToCsv([{ id: 'a,b', insiCode: '01', calls: 2, traits: [], recommendation: 'NOT_FOUND', explanation: 'x, y', rulesVersion: 'v' }]);
    assert.equal(csv.split('\n')[1], '"a,b",01,,,NOT_FOUND,,,,,,,,"x, y",,v');
  });
});
