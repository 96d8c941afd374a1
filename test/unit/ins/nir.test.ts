import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkNir, nirKey, type NirProblemCode } from '../../../src/core/ins/nir.js';
import { checkInsOid, insKindOfOid } from '../../../src/core/ins/oids.js';

/** Values and keys checked against INSi answers (standards.md §1.3, §2.5) and made-up ones computed by hand. */
const valid: readonly { value: string; why: string; sex: 'M' | 'F'; place: string; monthSpecial?: boolean }[] = [
  { value: '275126322074974', why: 'ADRUN ZOE (INSi test identity)', sex: 'F', place: 'metropole:63' },
  { value: '297022A020778' + '78', why: 'Corsica 2A (ADRTROIS)', sex: 'F', place: 'metropole:2A' },
  { value: '180032B020401' + '23', why: 'Corsica 2B (CORSE)', sex: 'M', place: 'metropole:2B' },
  { value: '236066322083656', why: 'TCHITCHI', sex: 'F', place: 'metropole:63' },
  { value: '109076322083489', why: 'ECETINSI', sex: 'M', place: 'metropole:63' },
  { value: '110086322083060', why: 'NESSI', sex: 'M', place: 'metropole:63' },
  { value: '109076322088835', why: 'NIA of PROVISOIRE MATRICULE (same structure and key)', sex: 'M', place: 'metropole:63' },
  { value: '279035121518989', why: 'CI-SIS test patient PAT-TROIS', sex: 'F', place: 'metropole:51' },
  { value: '185079913502315', why: 'born abroad (99 + country 135)', sex: 'M', place: 'abroad:135' },
  { value: '292039741101273', why: 'overseas 974 (La Réunion), 2-digit commune', sex: 'F', place: 'overseas:974' },
  { value: '188029880104586', why: 'overseas 988 (Nouvelle-Calédonie)', sex: 'M', place: 'overseas:988' },
  { value: '155207505601266', why: 'special month 20 (unknown month)', sex: 'M', place: 'metropole:75', monthSpecial: true },
  { value: '190423105500723', why: 'special month 42', sex: 'M', place: 'metropole:31', monthSpecial: true },
  { value: '165092000412306', why: 'Corsica before 1976 (département 20)', sex: 'M', place: 'metropole:20' },
];

describe('NIR / NIA key and structure', () => {
  it('computes the key, with Corsica 2A → 19 and 2B → 18', () => {
    assert.equal(nirKey('297022A020778'), '78');
    assert.equal(nirKey('180032B020401'), '23');
    assert.equal(nirKey('2751263220749'), '74');
    // 2A is not simply ignored: the same digits with 19 give the same key, with 20 another one.
    assert.equal(nirKey('2970219020778'), '78');
    assert.notEqual(nirKey('2970220020778'), '78');
  });

  for (const v of valid) {
    it(`accepts ${v.why}`, () => {
      const r = checkNir(v.value);
      assert.equal(r.valid, true, r.reason);
      assert.deepEqual(r.problems, []);
      assert.equal(r.parts?.sex, v.sex);
      const p = r.parts?.place;
      assert.ok(p);
      assert.equal(`${p.kind}:${p.kind === 'abroad' ? p.country : p.department}`, v.place);
      assert.equal(r.parts?.monthSpecial, v.monthSpecial ?? false);
      assert.equal(r.normalized, v.value);
    });
  }

  const invalid: readonly { value: string; code: NirProblemCode; words: RegExp; why: string }[] = [
    { value: '181036322045660', code: 'NIR_KEY_MISMATCH', words: /key 60 does not match.*is 76/, why: 'HERMANN GATIEN: INSi fixture whose key does not verify' },
    { value: '275126322074975', code: 'NIR_KEY_MISMATCH', words: /computed .* is 74/, why: 'wrong key by one' },
    { value: '297022A020778' + '79', code: 'NIR_KEY_MISMATCH', words: /key 79/, why: 'Corsica with a wrong key' },
    { value: '2751263220749', code: 'NIR_KEY_MISSING', words: /would be 74/, why: '13 characters: key missing, expected key given' },
    { value: '27512632207497', code: 'NIR_LENGTH', words: /14 characters/, why: 'too short' },
    { value: '2751263220749741', code: 'NIR_LENGTH', words: /16 characters/, why: 'too long' },
    { value: '', code: 'NIR_EMPTY', words: /empty/, why: 'empty' },
    { value: '2751263220O4974', code: 'NIR_CHARACTER', words: /letter O .*digit 0/, why: 'letter O for 0' },
    { value: '2751263220l4974', code: 'NIR_CHARACTER', words: /letter I or l .*digit 1/, why: 'letter l for 1' },
    { value: '27512632X074974', code: 'NIR_CHARACTER', words: /"X" at position 9/, why: 'a letter in the commune' },
    { value: '2751263220749AB', code: 'NIR_CHARACTER', words: /position 14/, why: 'letters in the key' },
    { value: '2A5126322074974', code: 'NIR_CHARACTER', words: /position 2/, why: '2A outside positions 6-7' },
    { value: '575126322074974', code: 'NIR_SEX_DIGIT', words: /first digit \(sex\) is 5/, why: 'sex digit 5' },
    { value: '275136322074' + '9' + nirKey('2751363220749'), code: 'NIR_MONTH', words: /month field .* is 13/, why: 'month 13' },
    { value: '275006322074' + '9' + nirKey('2750063220749'), code: 'NIR_MONTH', words: /is 00/, why: 'month 00' },
    { value: '2751200220749' + nirKey('2751200220749'), code: 'NIR_DEPARTMENT', words: /département code 00/, why: 'département 00' },
    { value: '2751297922749' + nirKey('2751297922749'), code: 'NIR_DEPARTMENT', words: /overseas département code 979/, why: 'overseas 979 does not exist' },
    { value: '2751299000749' + nirKey('2751299000749'), code: 'NIR_COUNTRY', words: /country code/, why: 'abroad with country 000' },
    { value: '2751263000749' + nirKey('2751263000749'), code: 'NIR_COMMUNE', words: /commune code .* 000/, why: 'commune 000' },
    { value: '2751263220000' + nirKey('2751263220000'), code: 'NIR_SERIAL', words: /serial/, why: 'serial 000' },
  ];
  for (const v of invalid) {
    it(`refuses ${v.why} with ${v.code}, in words`, () => {
      const r = checkNir(v.value);
      assert.equal(r.valid, false);
      assert.equal(r.problems[0]?.code, v.code);
      assert.match(r.reason, v.words);
    });
  }

  it('ignores spaces and reads lower-case 2a, saying so', () => {
    const r = checkNir('2 97 02 2a 020 778 78');
    assert.equal(r.valid, true);
    assert.equal(r.normalized, '297022A02077878');
    assert.equal(r.notes.length, 2);
  });

  it('a one-character change anywhere is caught by the key (single substitutions, all positions)', () => {
    const good = '2790351215189';
    for (let i = 0; i < 13; i += 1) {
      for (const d of '0123456789') {
        if (d === good[i]) {
          continue;
        }
        const bad = good.slice(0, i) + d + good.slice(i + 1);
        const r = checkNir(bad + '89');
        assert.equal(r.valid, false, `position ${i + 1} → ${d}`);
      }
    }
  });
});

describe('INS OIDs', () => {
  const production = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9'];
  const sandbox = [...production, '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'];
  it('knows the four INS OIDs and nothing else', () => {
    assert.equal(insKindOfOid('1.2.250.1.213.1.4.8'), 'NIR');
    assert.equal(insKindOfOid('1.2.250.1.213.1.4.9'), 'NIA');
    assert.equal(insKindOfOid('1.2.250.1.213.1.4.10'), 'NIR_TEST');
    assert.equal(insKindOfOid('1.2.250.1.213.1.4.11'), 'NIR_DEMO');
    assert.equal(insKindOfOid('1.2.250.1.213.1.4.5'), undefined);
  });
  it('production refuses the test OID; the sandbox accepts it', () => {
    const r = checkInsOid('1.2.250.1.213.1.4.10', production);
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.code, 'INS_OID_NOT_ACCEPTED');
    assert.equal(checkInsOid('1.2.250.1.213.1.4.10', sandbox).ok, true);
  });
  it('names the obsolete INS-C OID', () => {
    const r = checkInsOid('1.2.250.1.213.1.4.2', sandbox);
    assert.equal(r.ok ? '' : r.code, 'INS_OID_UNKNOWN');
    assert.match(r.ok ? '' : r.reason, /INS-C/);
  });
});
