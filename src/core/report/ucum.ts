/**
 * Lab units as French SILs write them → UCUM (https://ucum.org/ucum). CR-BIO wants UCUM in PQ/@unit.
 * The table covers the usual non-UCUM spellings; a unit already in UCUM form is kept as is.
 */
const TABLE: Readonly<Record<string, string>> = {
  'g/l': 'g/L',
  'mg/l': 'mg/L',
  'mg/dl': 'mg/dL',
  'g/dl': 'g/dL',
  'µg/l': 'ug/L',
  'ug/l': 'ug/L',
  'µg/dl': 'ug/dL',
  'ng/l': 'ng/L',
  'ng/ml': 'ng/mL',
  'pg/ml': 'pg/mL',
  'mmol/l': 'mmol/L',
  'µmol/l': 'umol/L',
  'umol/l': 'umol/L',
  'nmol/l': 'nmol/L',
  'pmol/l': 'pmol/L',
  'mol/l': 'mol/L',
  'meq/l': 'meq/L',
  'méq/l': 'meq/L',
  'mosm/kg': 'mosm/kg',
  'ui/l': '[IU]/L',
  'iu/l': '[IU]/L',
  'u/l': 'U/L',
  'ui/ml': '[IU]/mL',
  'iu/ml': '[IU]/mL',
  'mui/l': 'm[IU]/L',
  'miu/l': 'm[IU]/L',
  'mui/ml': 'm[IU]/mL',
  'µui/ml': 'u[IU]/mL',
  'uui/ml': 'u[IU]/mL',
  'kui/l': 'k[IU]/L',
  'g/24h': 'g/(24.h)',
  'mg/24h': 'mg/(24.h)',
  'mmol/24h': 'mmol/(24.h)',
  'ml/min': 'mL/min',
  'ml/min/1,73m2': 'mL/min/{1.73_m2}',
  'ml/min/1.73m2': 'mL/min/{1.73_m2}',
  'ml/min/1,73 m2': 'mL/min/{1.73_m2}',
  'ml/min/1.73 m2': 'mL/min/{1.73_m2}',
  'g/l (giga/l)': '10*9/L',
  'giga/l': '10*9/L',
  'g/mm3': '10*9/L',
  'tera/l': '10*12/L',
  't/l': '10*12/L',
  '10^9/l': '10*9/L',
  '10^12/l': '10*12/L',
  '10*9/l': '10*9/L',
  '10*12/l': '10*12/L',
  '10e9/l': '10*9/L',
  '10e12/l': '10*12/L',
  '/mm3': '/mm3',
  '/µl': '/uL',
  '/ul': '/uL',
  '/ml': '/mL',
  'fl': 'fL',
  'pg': 'pg',
  '%': '%',
  'sec': 's',
  's': 's',
  'secondes': 's',
  'min': 'min',
  'mm/h': 'mm/h',
  'mm': 'mm',
  'mmhg': 'mm[Hg]',
  'kpa': 'kPa',
  'l/l': 'L/L',
  'ratio': '{ratio}',
  'inr': '{INR}',
  'ufc/ml': '{CFU}/mL',
  'cfu/ml': '{CFU}/mL',
  'copies/ml': '{copies}/mL',
  'log copies/ml': '{log_copies}/mL',
  'ua/ml': '[arb\'U]/mL',
  'u/ml': 'U/mL',
  'ku/l': 'kU/L',
  'mg/mmol': 'mg/mmol',
  'g/mol': 'g/mol',
};

/**
 * The giga/tera per litre written `G/l` / `T/l` collide with grams: the upper-case G / T spelling is the
 * haematology one (10*9/L), lower-case g is grams. That case distinction is kept.
 */
const CASE_SENSITIVE: Readonly<Record<string, string>> = {
  'G/l': '10*9/L',
  'G/L': '10*9/L',
  'T/l': '10*12/L',
  'T/L': '10*12/L',
};

/** Units that are already valid UCUM as written (checked before lower-casing). */
const UCUM_AS_IS = /^(?:[a-zA-Z%[\]{}*/.0-9_^'-]|\(|\))+$/;

export interface UnitMapping {
  readonly ucum: string;
  /** false when the unit is not in the table and was kept as written. */
  readonly known: boolean;
}

export const toUcum = (unit: string): UnitMapping => {
  const u = unit.trim();
  if (u === '') {
    return { ucum: '', known: true };
  }
  const cs = CASE_SENSITIVE[u];
  if (cs !== undefined) {
    return { ucum: cs, known: true };
  }
  const mapped = TABLE[u.toLowerCase()];
  if (mapped !== undefined) {
    return { ucum: mapped, known: true };
  }
  const known = Object.values(TABLE).includes(u);
  return { ucum: u, known: known || (UCUM_AS_IS.test(u) && /[[{]/.test(u)) };
};
