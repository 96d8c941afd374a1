/**
 * XDS.b identifiers (IHE ITI TF-3 §4.2.5 "Metadata object types" and the classification scheme table), the
 * namespaces of ITI-41, and the DMP code values for a CR-BIO (standards.md §4.4, §4.5, §4.7).
 */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xades: 'http://uri.etsi.org/01903/v1.1.1#',
  xdsb: 'urn:ihe:iti:xds-b:2007',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  xop: 'http://www.w3.org/2004/08/xop/include',
  hl7: 'urn:hl7-org:v3',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  lab: 'urn:oid:1.3.6.1.4.1.19376.1.3.2',
} as const;

export const ACTION = {
  iti41: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
  iti41Response: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse',
  iti18: 'urn:ihe:iti:2007:RegistryStoredQuery',
  iti18Response: 'urn:ihe:iti:2007:RegistryStoredQueryResponse',
} as const;

/** objectType of a stable DocumentEntry, classificationNode of a SubmissionSet. */
export const OBJECT_TYPE = {
  stableDocumentEntry: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  submissionSetNode: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  classification: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification',
  externalIdentifier: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier',
  association: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association',
} as const;

/** Classification schemes (coded metadata) and external identifier schemes. */
export const SCHEME = {
  de: {
    author: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
    classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
    confidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
    eventCodeList: 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4',
    formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
    healthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
    practiceSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
    typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
    patientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
    uniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  },
  ss: {
    author: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
    contentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
    patientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
    sourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
    uniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  },
} as const;

export const ASSOCIATION = {
  hasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  rplc: 'urn:ihe:iti:2007:AssociationType:RPLC',
  signs: 'urn:ihe:iti:2007:AssociationType:signs',
} as const;

export const STATUS = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  partialSuccess: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
  approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
  deprecated: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated',
} as const;

/** GetDocuments stored query (ITI-18). */
export const STORED_QUERY_GET_DOCUMENTS = 'urn:uuid:5c4f972b-987b-4a36-b4f3-e4a7b8a3e6b5';

export interface XdsCode {
  readonly code: string;
  readonly codingScheme: string;
  readonly display: string;
}

/** DMP values for a CR-BIO (standards.md §4.4). */
export const CRBIO = {
  classCode: { code: '10', codingScheme: '1.2.250.1.213.1.1.4.1', display: 'Compte rendu' },
  typeCode: { code: '11502-2', codingScheme: '2.16.840.1.113883.6.1', display: "CR d'examens biologiques" },
  formatCode: { code: 'urn:ihe:lab:xd-lab:2008', codingScheme: '1.3.6.1.4.1.19376.1.2.3', display: 'CR-BIO (XD-LAB)' },
} as const satisfies Record<string, XdsCode>;

/** DMP visibility codes, TRE_A07 StatusVisibiliteDocument (standards.md §4.7). */
export const VISIBILITY_SYSTEM = '1.2.250.1.213.1.1.4.13';
export const VISIBILITY_CODES = ['INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX', 'MASQUE_PS'] as const;
export type VisibilityCode = (typeof VISIBILITY_CODES)[number];
export const VISIBILITY_DISPLAY: Readonly<Record<VisibilityCode, string>> = {
  INVISIBLE_PATIENT: 'Document non visible par le patient',
  INVISIBLE_REPRESENTANTS_LEGAUX: 'Document non visible par les représentants légaux du patient',
  MASQUE_PS: 'Document masqué aux professionnels de santé',
};
export const HL7_CONFIDENTIALITY_SYSTEM = '2.16.840.1.113883.5.25';

/** Signature DocumentEntry values (standards.md §4.5, after DRIMbox). */
export const SIGNATURE_ENTRY = {
  classCode: { code: 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1', codingScheme: 'URN', display: 'Digital Signature' },
  typeCode: { code: 'E1762', codingScheme: 'ASTM', display: 'Full Document' },
  eventCode: { code: '1.2.840.10065.1.12.1.14', codingScheme: '1.2.840.10065.1.12', display: 'Source' },
  languageCode: 'art',
  title: 'Source',
  purposeOfSignature: '1.2.840.10065.1.12.1.14',
} as const;

export const SIGNATURE_FORMAT_CODES = {
  'http://www.w3.org/2000/09/xmldsig#': { code: 'http://www.w3.org/2000/09/xmldsig#', codingScheme: 'URN', display: 'Default Signature Style' },
  'urn:ihe:iti:dsg:detached:2014': { code: 'urn:ihe:iti:dsg:detached:2014', codingScheme: '1.3.6.1.4.1.19376.1.2.3', display: 'Detached signature' },
} as const satisfies Record<string, XdsCode>;
export type SignatureFormatCode = keyof typeof SIGNATURE_FORMAT_CODES;

/** INS OIDs (standards.md §1.2). */
export const INS_OIDS = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'] as const;
export const PS_IDNAT_OID = '1.2.250.1.71.4.2.1';
export const STRUCT_IDNAT_OID = '1.2.250.1.71.4.2.2';
