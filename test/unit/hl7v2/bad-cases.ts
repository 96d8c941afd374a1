/**
 * The HL7 v2 bad-input corpus shared by the parser tests and the HTTP intake tests: malformed ORU^R01 messages,
 * each with the error code and first error path it must be refused with.
 */
const BASE = [
  'MSH|^~\\&|SIL-BIOLAB|LBM-DEMO|DMP-GATEWAY|LBM-DEMO|20260310143000+0100||ORU^R01^ORU_R01|MSG-BAD-1|P|2.5|||AL|NE|FRA|UNICODE UTF-8',
  'PID|||185076912304596^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS~IPP1^^^LBM&1.2.250.1.999.1.1&ISO^PI||MARTIN^JEAN^JEAN PIERRE^^^^L||19850714|M|||^^^^^^BDL^^69123|||||||||||||||||||||QUAL',
  'ORC|SC|CMD-1^SIL|ACC-1^LBM',
  'OBR|1|CMD-1^SIL|ACC-1^LBM|24320-4^Bilan^LN|||20260310073000+0100|||||||||||||||20260310142500+0100|||F',
  'OBX|1|NM|2345-7^Glucose^LN||0.95|g/l^g/l^L|0.70-1.10|N|||F',
  'OBX|2|ST|8251-1^Aspect^LN||Limpide||||||F',
];

type Lines = string[];

/** Sets field n of the k-th segment named `name` (HL7 numbering; MSH-n handled). */
const setField = (lines: Lines, name: string, n: number, value: string, k = 1): Lines => {
  let seen = 0;
  return lines.map((l) => {
    if (!l.startsWith(`${name}|`)) {
      return l;
    }
    seen += 1;
    if (seen !== k) {
      return l;
    }
    const parts = l.split('|');
    const idx = name === 'MSH' ? n - 1 : n;
    while (parts.length <= idx) {
      parts.push('');
    }
    parts[idx] = value;
    return parts.join('|');
  });
};
const msg = (lines: Lines): string => lines.join('\r');
const base = (): Lines => [...BASE];
const without = (name: string): Lines => base().filter((l) => !l.startsWith(`${name}|`));
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const withObx = (obx: string): Lines => [...base(), obx];

const cda = (ins: string): string =>
  `<ClinicalDocument xmlns="urn:hl7-org:v3"><recordTarget><patientRole><id root="1.2.250.1.213.1.4.8" extension="${ins}"/>` +
  '<patient><name><family qualifier="BR">MARTIN</family><given qualifier="BR">JEAN</given></name>' +
  '<administrativeGenderCode code="M"/><birthTime value="19850714"/></patient></patientRole></recordTarget></ClinicalDocument>';

export interface BadCase {
  readonly name: string;
  readonly input: string | Buffer;
  readonly code: string;
  readonly path: string;
  readonly batch?: boolean;
}

const latin1Declared = Buffer.from(msg(setField(setField(base(), 'MSH', 18, 'UNICODE UTF-8'), 'PID', 5, 'LEFÈVRE^HÉLÈNE^^^^^L')), 'latin1');
const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256));
const huge = msg(withObx(`OBX|3|TX|48767-8^Commentaire^LN||${'A'.repeat(10 * 1024 * 1024)}||||||F`));

export const BAD_CASES: BadCase[] = [
  { name: 'empty string', input: '', code: 'HL7_EMPTY', path: 'message' },
  { name: 'blank lines only', input: '\r\n\r\n  ', code: 'HL7_EMPTY', path: 'message' },
  { name: 'empty buffer', input: Buffer.alloc(0), code: 'HL7_EMPTY', path: 'message' },
  { name: 'no MSH: starts with PID', input: msg(without('MSH')), code: 'HL7_NO_MSH', path: 'line[1]' },
  { name: 'plain text', input: 'hello, this is not HL7', code: 'HL7_NO_MSH', path: 'line[1]' },
  { name: 'JSON sent to the HL7 intake', input: '{"resourceType":"Bundle"}', code: 'HL7_NO_MSH', path: 'line[1]' },
  { name: 'binary garbage', input: garbage, code: 'HL7_BINARY_CONTENT', path: 'message' },
  { name: 'UTF-16 encoded message', input: Buffer.from(msg(base()), 'utf16le'), code: 'HL7_BINARY_CONTENT', path: 'message' },
  { name: 'NUL byte inside a field', input: msg(setField(base(), 'OBX', 5, '0.9\u00005')), code: 'HL7_BINARY_CONTENT', path: 'message' },
  { name: 'MSH truncated', input: 'MSH|^~', code: 'HL7_DELIMITERS_INVALID', path: 'MSH[1].2' },
  { name: 'MSH-2 repeats a delimiter', input: msg([BASE[0]?.replace('^~\\&', '^^\\&') ?? '', ...BASE.slice(1)]), code: 'HL7_DELIMITERS_INVALID', path: 'MSH[1].2' },
  { name: 'MSH-2 uses a letter as delimiter', input: msg([BASE[0]?.replace('^~\\&', 'A~\\&') ?? '', ...BASE.slice(1)]), code: 'HL7_DELIMITERS_INVALID', path: 'MSH[1].2' },
  { name: 'MSH-9 is ADT^A01', input: msg(setField(base(), 'MSH', 9, 'ADT^A01')), code: 'HL7_MESSAGE_TYPE_UNSUPPORTED', path: 'MSH[1].9' },
  { name: 'MSH-9 is ORU^R30', input: msg(setField(base(), 'MSH', 9, 'ORU^R30')), code: 'HL7_MESSAGE_TYPE_UNSUPPORTED', path: 'MSH[1].9' },
  { name: 'MSH-9 empty', input: msg(setField(base(), 'MSH', 9, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'MSH[1].9' },
  { name: 'MSH-10 empty', input: msg(setField(base(), 'MSH', 10, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'MSH[1].10' },
  { name: 'MSH-10 absurdly long', input: msg(setField(base(), 'MSH', 10, 'X'.repeat(300))), code: 'HL7_VALUE_INVALID', path: 'MSH[1].10' },
  { name: 'MSH-12 version 3.0', input: msg(setField(base(), 'MSH', 12, '3.0')), code: 'HL7_VERSION_UNSUPPORTED', path: 'MSH[1].12' },
  { name: 'MSH-12 empty', input: msg(setField(base(), 'MSH', 12, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'MSH[1].12' },
  { name: 'MSH-7 empty', input: msg(setField(base(), 'MSH', 7, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'MSH[1].7' },
  { name: 'MSH-7 month 13', input: msg(setField(base(), 'MSH', 7, '20261310')), code: 'HL7_DATE_INVALID', path: 'MSH[1].7' },
  { name: 'MSH-7 in ISO form', input: msg(setField(base(), 'MSH', 7, '2026-03-10T14:30:00')), code: 'HL7_DATE_INVALID', path: 'MSH[1].7' },
  { name: 'MSH-3 and MSH-4 empty', input: msg(setField(setField(base(), 'MSH', 3, ''), 'MSH', 4, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'MSH[1].3' },
  { name: 'MSH-18 EBCDIC', input: Buffer.from(msg(setField(base(), 'MSH', 18, 'EBCDIC'))), code: 'HL7_ENCODING_UNSUPPORTED', path: 'MSH[1].18' },
  { name: 'MSH-18 UTF-8 but Latin-1 bytes', input: latin1Declared, code: 'HL7_ENCODING_INVALID', path: 'MSH[1].18' },
  { name: 'MSH-18 ASCII but accented bytes', input: Buffer.from(msg(setField(setField(base(), 'MSH', 18, 'ASCII'), 'PID', 5, 'LÉA^LÉA^^^^^L')), 'utf8'), code: 'HL7_ENCODING_INVALID', path: 'MSH[1].18' },
  { name: 'no PID', input: msg(without('PID')), code: 'HL7_SEGMENT_MISSING', path: 'PID' },
  { name: 'two PID', input: msg([...BASE.slice(0, 2), BASE[1] ?? '', ...BASE.slice(2)]), code: 'HL7_SEGMENT_REPEATED', path: 'PID[2]' },
  { name: 'no OBR and no OBX', input: msg(base().filter((l) => !l.startsWith('OBR') && !l.startsWith('OBX'))), code: 'HL7_SEGMENT_MISSING', path: 'OBR' },
  { name: 'OBR missing: OBX without OBR', input: msg(without('OBR')), code: 'HL7_SEGMENT_ORDER', path: 'OBX[1]' },
  { name: 'OBX before OBR', input: msg([BASE[0] ?? '', BASE[1] ?? '', BASE[4] ?? '', BASE[2] ?? '', BASE[3] ?? '']), code: 'HL7_SEGMENT_ORDER', path: 'OBX[1]' },
  { name: 'SPM before OBR', input: msg([BASE[0] ?? '', BASE[1] ?? '', 'SPM|1|||SER', ...BASE.slice(2)]), code: 'HL7_SEGMENT_ORDER', path: 'SPM[1]' },
  { name: 'PID after OBR', input: msg([BASE[0] ?? '', BASE[2] ?? '', BASE[3] ?? '', BASE[1] ?? '', ...BASE.slice(4)]), code: 'HL7_SEGMENT_ORDER', path: 'PID[1]' },
  { name: 'lower-case segment id', input: msg([...base(), 'nte|1||comment']), code: 'HL7_SEGMENT_NAME_INVALID', path: 'segment[7]' },
  { name: 'two-letter segment id', input: msg([...base(), 'NT|1||comment']), code: 'HL7_SEGMENT_NAME_INVALID', path: 'segment[7]' },
  { name: 'segment id not followed by the field separator', input: msg([...base(), 'NTE 1 comment']), code: 'HL7_SEGMENT_NAME_INVALID', path: 'segment[7]' },
  { name: 'INS of 14 characters', input: msg(setField(base(), 'PID', 3, '18507691230459^^^INS-NIR&1.2.250.1.213.1.4.8&ISO^INS')), code: 'REPORT_INS_INVALID', path: 'PID[1].3.1' },
  { name: 'INS with letters', input: msg(setField(base(), 'PID', 3, '1850769123045AB^^^INS-NIR&1.2.250.1.213.1.4.8&ISO^INS')), code: 'REPORT_INS_INVALID', path: 'PID[1].3.1' },
  { name: 'invalid NIR key', input: msg(setField(base(), 'PID', 3, '185076912304597^^^INS-NIR&1.2.250.1.213.1.4.8&ISO^INS')), code: 'REPORT_INS_KEY_MISMATCH', path: 'PID[1].3.1' },
  { name: 'INS typed with a wrong OID (third-party .4.5)', input: msg(setField(base(), 'PID', 3, '185076912304596^^^INS&1.2.250.1.213.1.4.5&ISO^INS')), code: 'REPORT_INS_OID_UNKNOWN', path: 'PID[1].3.4.2' },
  { name: 'INS typed without OID', input: msg(setField(base(), 'PID', 3, '185076912304596^^^INS-NIR^INS')), code: 'REPORT_INS_OID_UNKNOWN', path: 'PID[1].3.4.2' },
  { name: 'two different NIR', input: msg(setField(base(), 'PID', 3, '185076912304596^^^A&1.2.250.1.213.1.4.8&ISO^INS~279035121518989^^^B&1.2.250.1.213.1.4.8&ISO^INS')), code: 'REPORT_INS_CONFLICT', path: 'PID[1].3[2]' },
  { name: 'PID-3 repetition without value', input: msg(setField(base(), 'PID', 3, '185076912304596^^^A&1.2.250.1.213.1.4.8&ISO^INS~^^^LBM&1.2.3&ISO^PI')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'PID[1].3[2].1' },
  { name: 'PID-3 authority that is not an OID', input: msg(setField(base(), 'PID', 3, '185076912304596^^^A&1.2.250.1.213.1.4.8&ISO^INS~IPP1^^^LBM&lab.example&DNS^PI')), code: 'HL7_VALUE_INVALID', path: 'PID[1].3[2].4.2' },
  { name: 'PID-5 empty', input: msg(setField(base(), 'PID', 5, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'PID[1].5.1' },
  { name: 'PID-5 birth name without first name', input: msg(setField(base(), 'PID', 5, 'MARTIN^^^^^^L')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'PID[1].5.2' },
  { name: 'PID-5 two birth names', input: msg(setField(base(), 'PID', 5, 'MARTIN^JEAN^^^^^L~DURAND^JEAN^^^^^L')), code: 'HL7_REPETITION_CONFLICT', path: 'PID[1].5[2].7' },
  { name: 'PID-5 unknown name type', input: msg(setField(base(), 'PID', 5, 'MARTIN^JEAN^^^^^L~MARTIN^J^^^^^Z')), code: 'HL7_CODE_UNKNOWN', path: 'PID[1].5[2].7' },
  { name: 'PID-7 empty', input: msg(setField(base(), 'PID', 7, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'PID[1].7' },
  { name: 'PID-7 month 13', input: msg(setField(base(), 'PID', 7, '19851345')), code: 'HL7_DATE_INVALID', path: 'PID[1].7' },
  { name: 'PID-7 February 30', input: msg(setField(base(), 'PID', 7, '19850230')), code: 'HL7_DATE_INVALID', path: 'PID[1].7' },
  { name: 'PID-7 in 1800', input: msg(setField(base(), 'PID', 7, '18000101')), code: 'HL7_DATE_INVALID', path: 'PID[1].7' },
  { name: 'PID-7 in the future', input: msg(setField(base(), 'PID', 7, '21000101')), code: 'HL7_DATE_INVALID', path: 'PID[1].7' },
  { name: 'PID-7 letters', input: msg(setField(base(), 'PID', 7, 'ABCD')), code: 'HL7_DATE_INVALID', path: 'PID[1].7' },
  { name: 'PID-7 unknown month with known day', input: msg(setField(base(), 'PID', 7, '19850014')), code: 'HL7_DATE_INVALID', path: 'PID[1].7' },
  { name: 'PID-8 sex X', input: msg(setField(base(), 'PID', 8, 'X')), code: 'HL7_CODE_UNKNOWN', path: 'PID[1].8' },
  { name: 'PID-32 unknown value next to QUAL', input: msg(setField(base(), 'PID', 32, 'QUAL~FOO')), code: 'REPORT_IDENTITY_STATUS_INVALID', path: 'PID[1].32[2]' },
  { name: 'PID-32 two statuses', input: msg(setField(base(), 'PID', 32, 'QUAL~VALI')), code: 'REPORT_IDENTITY_STATUS_INVALID', path: 'PID[1].32[2]' },
  { name: 'PID-32 DOUT and FICT together', input: msg(setField(base(), 'PID', 32, 'PROV~DOUT~FICTI')), code: 'REPORT_IDENTITY_STATUS_INVALID', path: 'PID[1].32' },
  { name: 'PID-32 misspelt status', input: msg(setField(base(), 'PID', 32, 'QUALIFIE')), code: 'REPORT_IDENTITY_STATUS_INVALID', path: 'PID[1].32' },
  { name: 'PID-11 birth place not a COG', input: msg(setField(base(), 'PID', 11, '1 rue X^^LYON^^69003~^^^^^^BDL^^LYON')), code: 'HL7_VALUE_INVALID', path: 'PID[1].11[2].9' },
  { name: 'OBR-3 and ORC-3 empty', input: msg(setField(setField(base(), 'OBR', 3, ''), 'ORC', 3, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'OBR[1].3' },
  { name: 'OBR-4 empty', input: msg(setField(base(), 'OBR', 4, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'OBR[1].4' },
  { name: 'OBR-25 empty', input: msg(setField(base(), 'OBR', 25, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'OBR[1].25' },
  { name: 'OBR-25 unknown status', input: msg(setField(base(), 'OBR', 25, 'Z')), code: 'HL7_CODE_UNKNOWN', path: 'OBR[1].25' },
  { name: 'OBR-7 hour 99', input: msg(setField(base(), 'OBR', 7, '2026031099')), code: 'HL7_DATE_INVALID', path: 'OBR[1].7' },
  { name: 'OBR-22 in year 3000', input: msg(setField(base(), 'OBR', 22, '30000101')), code: 'HL7_DATE_INVALID', path: 'OBR[1].22' },
  { name: 'OBR-7 bad time zone', input: msg(setField(base(), 'OBR', 7, '202603100730+2500')), code: 'HL7_DATE_INVALID', path: 'OBR[1].7' },
  { name: 'OBX NM value not a number', input: msg(setField(base(), 'OBX', 5, 'abc')), code: 'HL7_VALUE_INVALID', path: 'OBX[1].5' },
  { name: 'OBX NM value with two decimal points', input: msg(setField(base(), 'OBX', 5, '1.2.3')), code: 'HL7_VALUE_INVALID', path: 'OBX[1].5' },
  { name: 'OBX-2 unknown value type', input: msg(setField(base(), 'OBX', 2, 'XYZ')), code: 'HL7_VALUE_TYPE_UNSUPPORTED', path: 'OBX[1].2' },
  { name: 'OBX-2 empty with a value', input: msg(setField(base(), 'OBX', 2, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'OBX[1].2' },
  { name: 'OBX-3 empty', input: msg(setField(base(), 'OBX', 3, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'OBX[1].3' },
  { name: 'OBX-11 empty', input: msg(setField(base(), 'OBX', 11, '')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'OBX[1].11' },
  { name: 'OBX-11 unknown status', input: msg(setField(base(), 'OBX', 11, 'Q')), code: 'HL7_CODE_UNKNOWN', path: 'OBX[1].11' },
  { name: 'OBX-14 in ISO form', input: msg(setField(base(), 'OBX', 14, '2026-03-10')), code: 'HL7_DATE_INVALID', path: 'OBX[1].14' },
  { name: 'OBX SN unknown comparator', input: msg(withObx('OBX|3|SN|5196-1^HBs^LN||!^5|UI/l||||F')), code: 'HL7_VALUE_INVALID', path: 'OBX[3].5.1' },
  { name: 'OBX SN unknown separator', input: msg(withObx('OBX|3|SN|5196-1^HBs^LN||^1^*^5|UI/l||||F')), code: 'HL7_VALUE_INVALID', path: 'OBX[3].5.3' },
  { name: 'OBX SN number not numeric', input: msg(withObx('OBX|3|SN|5196-1^HBs^LN||<^five|UI/l||||F')), code: 'HL7_VALUE_INVALID', path: 'OBX[3].5.2' },
  { name: 'OBX CWE without code', input: msg(withObx('OBX|3|CWE|20507-0^RPR^LN||^Positive^SCT||||||F')), code: 'HL7_VALUE_INVALID', path: 'OBX[3].5' },
  { name: 'OBX ED PDF not Base64', input: msg(withObx('OBX|3|ED|11502-2^CR^LN||^AP^PDF^Base64^@@@not-base64@@@||||||F')), code: 'HL7_VALUE_INVALID', path: 'OBX[3].5.5' },
  { name: 'OBX ED declared PDF but is not', input: msg(withObx(`OBX|3|ED|11502-2^CR^LN||^AP^PDF^Base64^${b64('just text, not a PDF')}||||||F`)), code: 'HL7_VALUE_INVALID', path: 'OBX[3].5.5' },
  { name: 'OBX ED hex encoding', input: msg(withObx('OBX|3|ED|11502-2^CR^LN||^AP^PDF^Hex^255044462D||||||F')), code: 'HL7_VALUE_INVALID', path: 'OBX[3].5.4' },
  { name: 'OBX ED without data', input: msg(withObx('OBX|3|ED|11502-2^CR^LN||^AP^PDF^Base64^||||||F')), code: 'HL7_REQUIRED_FIELD_MISSING', path: 'OBX[3].5.5' },
  { name: 'embedded CDA is plain text', input: msg(withObx(`OBX|3|ED|11502-2^CR^LN||^TEXT^XML^Base64^${b64('Document CDA niveau 1')}||||||F`)), code: 'REPORT_EMBEDDED_CDA_INVALID', path: 'OBX[3].5.5' },
  { name: 'embedded CDA not well-formed', input: msg(withObx(`OBX|3|ED|11502-2^CR^LN||^TEXT^XML^Base64^${b64('<ClinicalDocument><a></ClinicalDocument>')}||||||F`)), code: 'REPORT_EMBEDDED_CDA_INVALID', path: 'OBX[3].5.5' },
  { name: 'embedded XML is not a ClinicalDocument', input: msg(withObx(`OBX|3|ED|11502-2^CR^LN||^TEXT^XML^Base64^${b64('<foo xmlns="urn:hl7-org:v3"/>')}||||||F`)), code: 'REPORT_EMBEDDED_CDA_INVALID', path: 'OBX[3].5.5' },
  { name: 'embedded CDA for another INS', input: msg(withObx(`OBX|3|ED|11502-2^CR^LN||^TEXT^XML^Base64^${b64(cda('279035121518989'))}||||||F`)), code: 'REPORT_EMBEDDED_CDA_MISMATCH', path: 'OBX[3].5.5' },
  { name: 'MetaDMPMSS flag neither Y nor N', input: msg(withObx('OBX|3|CE|DESTDMP^Destinataire DMP^MetaDMPMSS||MAYBE||||||F')), code: 'HL7_VALUE_INVALID', path: 'OBX[3].5' },
  { name: 'no result at all: only a flag OBX', input: msg([...base().filter((l) => !l.startsWith('OBX')), 'OBX|1|CE|DESTDMP^Destinataire DMP^MetaDMPMSS||Y||||||F']), code: 'HL7_SEGMENT_MISSING', path: 'OBX' },
  { name: 'MDM without the CDA', input: msg(setField(without('OBX'), 'MSH', 9, 'MDM^T02')), code: 'HL7_SEGMENT_MISSING', path: 'OBX' },
  { name: 'a 10 MB OBX', input: huge, code: 'PAYLOAD_TOO_LARGE', path: 'message' },
  { name: 'two messages where one is expected', input: `${msg(base())}\r${msg(setField(base(), 'MSH', 10, 'MSG-BAD-2'))}`, code: 'HL7_BATCH_NOT_ALLOWED', path: 'MSH[2]' },
  { name: 'segments before MSH', input: `${BASE[1] ?? ''}\r${msg(base())}`, code: 'HL7_NO_MSH', path: 'line[1]' },
  {
    name: 'batch trailer count wrong',
    input: ['FHS|^~\\&|SIL', 'BHS|^~\\&|SIL', ...base(), 'BTS|3', 'FTS|1'].join('\r'),
    code: 'HL7_BATCH_COUNT_MISMATCH',
    path: 'BTS[1].1',
    batch: true,
  },
  { name: 'batch of nothing', input: ['FHS|^~\\&|SIL', 'BHS|^~\\&|SIL', 'BTS|0', 'FTS|1'].join('\r'), code: 'HL7_NO_MSH', path: 'line[1]', batch: true },
];

