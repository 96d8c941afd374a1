import type { LabReport } from '../../src/core/report/model.js';
import { defaultDmpFlags } from '../../src/core/report/model.js';

/**
 * A small valid report for a public INSi test identity (standards.md §2.5), qualified. `over` replaces
 * top-level fields; `patient` merges into the patient.
 */
export const sampleReport = (over: Partial<LabReport> = {}, patient: Partial<LabReport['patient']> = {}): LabReport => ({
  sender: 'SIL^LAB',
  messageId: 'MSG-1',
  accessionNumber: 'ACC-1',
  status: 'final',
  reportedAt: '2026-03-01T09:30:00+01:00',
  collectedAt: '2026-03-01T08:00:00+01:00',
  receivedAt: '2026-03-01T08:30:00+01:00',
  sourceFormat: 'hl7v2',
  comments: [],
  flags: defaultDmpFlags,
  patient: {
    ins: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' },
    identifiers: [{ system: '1.2.250.1.999.1.1', value: 'IPP123' }],
    birthName: 'PAT-TROIS',
    birthGivenNames: 'DOMINIQUE MARIE-LOUISE',
    firstGivenName: 'DOMINIQUE',
    sex: 'F',
    birthDate: '1979-03-28',
    birthPlaceCog: '51215',
    status: 'QUAL',
    attributes: [],
    ...patient,
  },
  batteries: [
    {
      code: { code: '3016-3', system: '2.16.840.1.113883.6.1', display: 'TSH' },
      status: 'final',
      sourcePath: 'OBR[1]',
      isolates: [],
      observations: [
        {
          code: { code: '3016-3', system: '2.16.840.1.113883.6.1', display: 'TSH' },
          value: { type: 'quantity', value: '2.1', unit: 'm[IU]/L' },
          referenceRange: { low: '0.4', high: '4.0', unit: 'm[IU]/L' },
          interpretations: ['N'],
          status: 'final',
          comments: [],
          previous: [],
          sourcePath: 'OBX[1]',
        },
      ],
    },
  ],
  ...over,
});
