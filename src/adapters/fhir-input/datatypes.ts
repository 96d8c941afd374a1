/** FHIR R4 data types read from untrusted JSON: Coding / CodeableConcept → Code, Practitioner. */
import type { Code, Practitioner } from '../../core/report/model.js';
import type { Node } from './json.js';
import { oidOf } from './patient.js';

export const SYSTEMS: Readonly<Record<string, string>> = {
  'http://loinc.org': '2.16.840.1.113883.6.1',
  'http://snomed.info/sct': '2.16.840.1.113883.6.96',
  'http://terminology.hl7.org/CodeSystem/v2-0487': '2.16.840.1.113883.18.311',
  'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation': '2.16.840.1.113883.5.83',
};

const PS_IDNAT = '1.2.250.1.71.4.2.1';

export const codingToCode = (c: Node): Code | undefined => {
  const code = c.get('code').str();
  const system = c.get('system').str();
  if (!code || !system) {
    return undefined;
  }
  const display = c.get('display').str();
  return { code, system: SYSTEMS[system] ?? oidOf(system) ?? system, ...(display ? { display } : {}) };
};

/** CodeableConcept → standard (LOINC/SNOMED) code and local code. */
export const readConcept = (cc: Node): { code?: Code; local?: Code } => {
  const codes = cc.get('coding').items().map(codingToCode).filter((c): c is Code => c !== undefined);
  const std = codes.find((c) => Object.values(SYSTEMS).includes(c.system));
  const local = codes.find((c) => c !== std);
  const code = std ?? local;
  return { ...(code ? { code } : {}), ...(std && local ? { local } : {}) };
};

export const readPractitioner = (n: Node | undefined): Practitioner | undefined => {
  if (n === undefined || !n.isObject) {
    return undefined;
  }
  let rpps: string | undefined;
  const identifiers: { system: string; value: string }[] = [];
  for (const id of n.get('identifier').items()) {
    const oid = oidOf(id.get('system').str()) ?? id.get('system').str() ?? '';
    const value = id.get('value').str() ?? '';
    if (oid === PS_IDNAT && /^8\d{11}$/.test(value)) {
      rpps = value.slice(1);
    } else if (/rpps/i.test(oid) && /^\d{11}$/.test(value)) {
      rpps = value;
    } else if (value !== '') {
      identifiers.push({ system: oid, value });
    }
  }
  const name = n.get('name').at(0);
  const family = name.get('family').str();
  const given = name.get('given').at(0).str();
  const prefix = name.get('prefix').at(0).str();
  return { ...(rpps ? { rpps } : {}), identifiers, ...(family ? { family } : {}), ...(given ? { given } : {}), ...(prefix ? { prefix } : {}) };
};
