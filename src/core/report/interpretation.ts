/**
 * Abnormal flags (HL7 v2 OBX-8, table 0078; FHIR Observation.interpretation) → HL7 ObservationInterpretation
 * (2.16.840.1.113883.5.83), the value set CR-BIO uses in interpretationCode.
 */
const KNOWN = new Set([
  'L', 'H', 'LL', 'HH', 'LU', 'HU', '<', '>', 'N', 'A', 'AA', 'S', 'R', 'I', 'MS', 'VS', 'NCL', 'SDD', 'SYN-R', 'SYN-S',
  'POS', 'NEG', 'IND', 'DET', 'ND', 'E', 'EX', 'EXP', 'CAR', 'B', 'W', 'U', 'D', 'IE', 'NS', 'NR', 'RR', 'WR', 'HX', 'LX',
]);

/** Spellings found in French SILs' OBX-8 for the same meaning. */
const ALIASES: Readonly<Record<string, string>> = {
  '+': 'H',
  '++': 'HH',
  '-': 'L',
  '--': 'LL',
  '*': 'A',
  '**': 'AA',
  'HI': 'H',
  'LO': 'L',
  'POSITIF': 'POS',
  'NEGATIF': 'NEG',
  'NÉGATIF': 'NEG',
};

/** The ObservationInterpretation code, or undefined when the flag is unknown. */
export const toObservationInterpretation = (flag: string): string | undefined => {
  const f = flag.trim().toUpperCase();
  if (f === '') {
    return undefined;
  }
  if (KNOWN.has(f)) {
    return f;
  }
  return ALIASES[f];
};
