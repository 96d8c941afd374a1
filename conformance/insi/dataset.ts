/**
 * The INSi simulator's identities: the public INSi qualification test identities (standards.md §2.5, read in
 * the TLSI fixtures) and our own tricky ones (homonyms that need the first-name list or the birth place,
 * an identity born abroad, a double family name). All fictitious.
 */
export interface SimIdentity {
  readonly birthName: string;
  /** ListePrenom, space separated. */
  readonly givenNames: string;
  readonly sex: 'M' | 'F';
  readonly birthDate: string;
  readonly birthPlaceCog: string;
  readonly matricule: string;
  readonly key: string;
  readonly oid: string;
  readonly history?: readonly { readonly matricule: string; readonly key: string; readonly oid: string }[];
  readonly note: string;
}

const NIR = '1.2.250.1.213.1.4.8';
const NIA = '1.2.250.1.213.1.4.9';

export const PUBLIC_TEST_IDENTITIES: readonly SimIdentity[] = [
  { birthName: 'ADRUN', givenNames: 'ZOE', sex: 'F', birthDate: '1975-12-31', birthPlaceCog: '63220', matricule: '2751263220749', key: '74', oid: NIR, note: 'basic 00' },
  { birthName: 'ADRTROIS', givenNames: 'DOMINIQUE', sex: 'F', birthDate: '1997-02-26', birthPlaceCog: '2A020', matricule: '297022A020778', key: '78', oid: NIR, note: 'Corsica 2A' },
  { birthName: 'TCHITCHI', givenNames: 'CATARINA BELLA', sex: 'F', birthDate: '1936-06-21', birthPlaceCog: '63220', matricule: '2360663220836', key: '56', oid: NIR, note: 'query OLA → 01' },
  {
    birthName: 'ECETINSI', givenNames: 'PIERRE-ALAIN MURIEL FLORIANT', sex: 'M', birthDate: '2009-07-14', birthPlaceCog: '63220', matricule: '1090763220834', key: '89', oid: NIR,
    history: [{ matricule: '2090763220834', key: '39', oid: NIR }, { matricule: '2090663220123', key: '55', oid: NIR }], note: 'INSHISTO',
  },
  { birthName: 'NESSI', givenNames: 'MICHELANGELO ANTHONY', sex: 'M', birthDate: '2010-08-07', birthPlaceCog: '63220', matricule: '1100863220830', key: '60', oid: NIR, note: '' },
  { birthName: 'CORSE', givenNames: 'ANTHONY', sex: 'M', birthDate: '1980-03-02', birthPlaceCog: '2B020', matricule: '180032B020401', key: '23', oid: NIR, note: 'Corsica 2B' },
  { birthName: 'HERMANN', givenNames: 'GATIEN', sex: 'M', birthDate: '1981-03-24', birthPlaceCog: '63220', matricule: '1810363220456', key: '60', oid: NIR, note: 'key does not verify (as in the CNDA fixture)' },
  { birthName: 'PROVISOIRE', givenNames: 'MATRICULE', sex: 'M', birthDate: '2009-07-01', birthPlaceCog: '63220', matricule: '1090763220888', key: '35', oid: NIA, note: 'NIA' },
  // HOUILLES PIERRE PAUL JACQUES (M, 1993-01-27) answers 01: deliberately absent.
];

export const OUR_TRICKY_IDENTITIES: readonly SimIdentity[] = [
  // Two women with the same birth name, first first name and birth date: 02 on MARIE, 00 with the full list.
  { birthName: 'DUPLESSIS', givenNames: 'MARIE CLAIRE', sex: 'F', birthDate: '1990-05-17', birthPlaceCog: '75056', matricule: '2900575056123', key: '', oid: NIR, note: 'homonym A (list tells apart)' },
  { birthName: 'DUPLESSIS', givenNames: 'MARIE LOUISE', sex: 'F', birthDate: '1990-05-17', birthPlaceCog: '69123', matricule: '2900569123456', key: '', oid: NIR, note: 'homonym B (list tells apart)' },
  // Two men with identical traits except the birth place: 02 until the COG is given.
  { birthName: 'MARTINEZ', givenNames: 'JEAN', sex: 'M', birthDate: '1970-01-15', birthPlaceCog: '13055', matricule: '1700113055321', key: '', oid: NIR, note: 'homonym C (only the COG tells apart)' },
  { birthName: 'MARTINEZ', givenNames: 'JEAN', sex: 'M', birthDate: '1970-01-15', birthPlaceCog: '33063', matricule: '1700133063654', key: '', oid: NIR, note: 'homonym D (only the COG tells apart)' },
  // Born abroad (Morocco 99350), double family name, apostrophe.
  { birthName: "D'AEION--BENALI", givenNames: 'YASMINE NOOR', sex: 'F', birthDate: '1985-07-02', birthPlaceCog: '99350', matricule: '2850799350017', key: '', oid: NIR, note: 'born abroad, double name' },
];

/** The key, computed (97 − N mod 97, Corsica 2A → 19, 2B → 18), for our made-up identities. */
const key = (m: string): string => {
  const n = BigInt(m.slice(0, 5) + m.slice(5, 7).replace('2A', '19').replace('2B', '18') + m.slice(7));
  return String(97n - (n % 97n)).padStart(2, '0');
};

export const DEFAULT_DATASET: readonly SimIdentity[] = [
  ...PUBLIC_TEST_IDENTITIES,
  ...OUR_TRICKY_IDENTITIES.map((i) => ({ ...i, key: key(i.matricule) })),
];
