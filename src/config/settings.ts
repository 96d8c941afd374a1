/**
 * Every setting the gateway reads: its dotted key, environment variable, type, default and meaning.
 * This one table drives the defaults, the environment mapping, validation and the README's table
 * (`test/unit/config.test.ts` checks the README against it).
 */
export type SettingType =
  | { readonly kind: 'string'; readonly pattern?: RegExp; readonly patternHint?: string }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'list' }
  | { readonly kind: 'url'; readonly protocols: readonly string[] };

export interface Setting {
  readonly key: string;
  readonly env: string;
  readonly type: SettingType;
  /** undefined: optional with no default. */
  readonly default?: string | number | boolean | readonly string[];
  /** Default in sandbox mode when it differs. */
  readonly sandboxDefault?: string | number | boolean | readonly string[];
  readonly secret?: boolean;
  readonly description: string;
}

const int = (min: number, max: number): SettingType => ({ kind: 'int', min, max });
const str: SettingType = { kind: 'string' };
const oid: SettingType = { kind: 'string', pattern: /^[0-2](\.(0|[1-9][0-9]*))+$/, patternHint: 'an OID such as 1.2.250.1.71.4.2.2' };
const bool: SettingType = { kind: 'bool' };
const list: SettingType = { kind: 'list' };
const oneOf = (...values: string[]): SettingType => ({ kind: 'enum', values });

export const settings: readonly Setting[] = [
  { key: 'mode', env: 'DMP_GATEWAY_MODE', type: oneOf('sandbox', 'production'), default: 'production', sandboxDefault: 'sandbox', description: 'sandbox: test INS OIDs accepted, simulators started in-process, test PKI generated. production: none of that.' },
  { key: 'dataDir', env: 'DMP_GATEWAY_DATA_DIR', type: str, default: './data', description: 'Folder for the embedded database, the generated test PKI and sandbox tokens.' },
  { key: 'http.host', env: 'DMP_GATEWAY_HTTP_HOST', type: str, default: '0.0.0.0', sandboxDefault: '127.0.0.1', description: 'Address the HTTP API listens on.' },
  { key: 'http.port', env: 'DMP_GATEWAY_HTTP_PORT', type: int(0, 65535), default: 8080, description: 'HTTP API port (0: any free port).' },
  { key: 'http.bodyLimitBytes', env: 'DMP_GATEWAY_HTTP_BODY_LIMIT_BYTES', type: int(1024, 64 * 1024 * 1024), default: 8 * 1024 * 1024, description: 'Largest request body accepted; larger ones get 413.' },
  { key: 'http.trustProxy', env: 'DMP_GATEWAY_HTTP_TRUST_PROXY', type: bool, default: false, description: 'Trust X-Forwarded-* headers from a reverse proxy.' },
  { key: 'mllp.enabled', env: 'DMP_GATEWAY_MLLP_ENABLED', type: bool, default: true, description: 'Run the MLLP listener for HL7 v2 ORU^R01.' },
  { key: 'mllp.host', env: 'DMP_GATEWAY_MLLP_HOST', type: str, default: '0.0.0.0', sandboxDefault: '127.0.0.1', description: 'Address the MLLP listener binds.' },
  { key: 'mllp.port', env: 'DMP_GATEWAY_MLLP_PORT', type: int(0, 65535), default: 2575, description: 'MLLP listener port.' },
  { key: 'mllp.acknowledgement', env: 'DMP_GATEWAY_MLLP_ACKNOWLEDGEMENT', type: oneOf('auto', 'original'), default: 'auto', description: 'auto: original mode (AA/AE/AR) when MSH-15/16 are empty, as in the CI-SIS volet, HL7 enhanced mode (CA/CE/CR as MSH-15 asks) when they are valued. original: always one AA/AE/AR per message, for a SIL that sends MSH-15/16 but only reads AA/AE/AR.' },
  { key: 'mllp.maxMessageBytes', env: 'DMP_GATEWAY_MLLP_MAX_MESSAGE_BYTES', type: int(1024, 64 * 1024 * 1024), default: 8 * 1024 * 1024, description: 'Largest MLLP frame accepted; a larger one is answered AR and the connection closed.' },
  { key: 'storage.engine', env: 'DMP_GATEWAY_STORAGE_ENGINE', type: oneOf('sqlite', 'postgres'), default: 'sqlite', description: 'sqlite (embedded, one instance) or postgres (several instances share the work). Set automatically to postgres when a database URL is given.' },
  { key: 'storage.sqlitePath', env: 'DMP_GATEWAY_SQLITE_PATH', type: str, description: 'SQLite file (default: <dataDir>/gateway.db).' },
  { key: 'storage.databaseUrl', env: 'DMP_GATEWAY_DATABASE_URL', type: { kind: 'url', protocols: ['postgres:', 'postgresql:'] }, secret: true, description: 'PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/dmp.' },
  { key: 'storage.schema', env: 'DMP_GATEWAY_DATABASE_SCHEMA', type: { kind: 'string', pattern: /^[a-z_][a-z0-9_]{0,62}$/, patternHint: 'a lower-case SQL identifier' }, default: 'public', description: 'PostgreSQL schema holding the tables.' },
  { key: 'log.level', env: 'DMP_GATEWAY_LOG_LEVEL', type: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), default: 'info', description: 'Log level (JSON lines on stdout; patient data is always redacted).' },
  { key: 'ins.acceptedOids', env: 'DMP_GATEWAY_INS_ACCEPTED_OIDS', type: list, default: ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9'], sandboxDefault: ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'], description: 'INS assigning authorities accepted. Production refuses the test (.10) and demo (.11) OIDs.' },
  { key: 'conformance.schematron', env: 'DMP_GATEWAY_CONFORMANCE_SCHEMATRON', type: bool, default: false, description: "Also run the ANS schematron layers (Saxon, a JVM per layer: seconds per document) on every document before delivery. Off by default: our own rules and the CDA XSD always run in-process; CI proves that every fixture passes the schematrons." },
  { key: 'ansKit', env: 'DMP_GATEWAY_ANS_KIT', type: str, sandboxDefault: '../shared/reference/cda', description: 'Folder of the ANS CDA validation kit (infrastructure/cda XSD, schematrons/). Not shipped with the gateway.' },
  { key: 'pki.dir', env: 'DMP_GATEWAY_PKI_DIR', type: str, description: 'Folder of the certificates (default: <dataDir>/pki; the sandbox generates a test PKI there).' },
  { key: 'pki.passphrase', env: 'DMP_GATEWAY_PKI_PASSPHRASE', type: str, secret: true, sandboxDefault: 'sandbox-test-only', description: 'Passphrase of the PKCS#12 files.' },
  { key: 'lab.name', env: 'DMP_GATEWAY_LAB_NAME', type: str, sandboxDefault: 'Laboratoire de biologie médicale de test', description: 'Name of the laboratory (custodian, author organisation).' },
  { key: 'lab.finess', env: 'DMP_GATEWAY_LAB_FINESS', type: { kind: 'string', pattern: /^[0-9A-B]{9}$/, patternHint: '9 characters (FINESS)' }, sandboxDefault: '120459876', description: 'FINESS of the laboratory (Struct_IdNat = 1 + FINESS).' },
  { key: 'lab.oid', env: 'DMP_GATEWAY_LAB_OID', type: oid, sandboxDefault: '1.2.250.1.999.1', description: 'Root OID of the laboratory, under which document ids, local codes, IPP and order ids are made.' },
  // The laboratory as the CR-BIO header shows it (custodian, author organisation, performer).
  { key: 'lab.street', env: 'DMP_GATEWAY_LAB_STREET', type: str, sandboxDefault: '8 rue des Essais', description: 'Street address of the laboratory.' },
  { key: 'lab.postalCode', env: 'DMP_GATEWAY_LAB_POSTAL_CODE', type: { kind: 'string', pattern: /^\d{5}$/, patternHint: '5 digits' }, sandboxDefault: '75000', description: 'Postal code of the laboratory.' },
  { key: 'lab.city', env: 'DMP_GATEWAY_LAB_CITY', type: str, sandboxDefault: 'PARIS', description: 'City of the laboratory.' },
  { key: 'lab.phone', env: 'DMP_GATEWAY_LAB_PHONE', type: str, sandboxDefault: '0100000000', description: 'Telephone of the laboratory (tel: URI or digits).' },
  { key: 'lab.practiceSetting', env: 'DMP_GATEWAY_LAB_PRACTICE_SETTING', type: oneOf('AMBULATOIRE', 'ETABLISSEMENT'), default: 'AMBULATOIRE', description: 'Practice setting (TRE_A01, standardIndustryClassCode / XDS practiceSettingCode).' },
  { key: 'lab.cofrac', env: 'DMP_GATEWAY_LAB_COFRAC', type: str, description: 'COFRAC accreditation number, when accredited.' },
  { key: 'lab.softwareName', env: 'DMP_GATEWAY_LAB_SOFTWARE_NAME', type: str, default: 'SIL', description: 'Name of the SIL, shown as the authoring device when no biologist is named.' },
  { key: 'dmp.route', env: 'DMP_GATEWAY_DMP_ROUTE', type: oneOf('xds', 'mhd'), default: 'xds', description: 'Delivery route: XDS.b ITI-41 (SOAP) or MHD ITI-65 (FHIR).' },
  { key: 'dmp.endpoint', env: 'DMP_GATEWAY_DMP_ENDPOINT', type: { kind: 'url', protocols: ['https:'] }, description: 'DMP endpoint (in sandbox: the in-process simulator).' },
  { key: 'insi.endpoint', env: 'DMP_GATEWAY_INSI_ENDPOINT', type: { kind: 'url', protocols: ['https:'] }, description: 'INSi teleservice endpoint (in sandbox: the in-process simulator).' },
  { key: 'audit.subjectKey', env: 'DMP_GATEWAY_AUDIT_SUBJECT_KEY', type: { kind: 'string', pattern: /^.{32,}$/, patternHint: 'at least 32 characters' }, secret: true, description: 'Secret key of the keyed hash that stands for the patient INS in the audit trail and transmission index (required in production; the sandbox generates one under dataDir).' },
  // --- audit trail (issue 8) ---
  { key: 'audit.signatureP12', env: 'DMP_GATEWAY_AUDIT_SIGNATURE_P12', type: str, description: "PKCS#12 of the structure's signature certificate that signs audit checkpoints (default: dmp.signP12, else <pki.dir>/structureSign.p12; passphrase pki.passphrase)." },
  { key: 'audit.checkpointIntervalSeconds', env: 'DMP_GATEWAY_AUDIT_CHECKPOINT_INTERVAL_SECONDS', type: int(0, 86400), default: 300, description: 'How often a signed checkpoint of the audit trail is written (0: only at shutdown and on demand). Deleting the last records is detected up to the last checkpoint.' },
  // Outbox: processing, delivery workers, retries, dead letter, circuit breaker, retention (issue 7).
  { key: 'outbox.enabled', env: 'DMP_GATEWAY_OUTBOX_ENABLED', type: bool, default: true, description: 'Run the processing and delivery workers in this instance.' },
  { key: 'outbox.pollMs', env: 'DMP_GATEWAY_OUTBOX_POLL_MS', type: int(10, 60000), default: 500, sandboxDefault: 200, description: 'How often idle workers look for work stored by other instances (or left for later); a report stored by this instance wakes them at once.' },
  { key: 'outbox.concurrency', env: 'DMP_GATEWAY_OUTBOX_CONCURRENCY', type: int(1, 256), default: 8, description: 'Sends in flight at once per instance (per destination).' },
  { key: 'outbox.maxPerSecond', env: 'DMP_GATEWAY_OUTBOX_MAX_PER_SECOND', type: int(1, 10000), default: 100, description: 'Most DMP requests (ITI-41 submissions and ITI-18 queries) per second from this instance, evenly spaced: the DMP never gets more than this from us.' },
  { key: 'outbox.leaseMs', env: 'DMP_GATEWAY_OUTBOX_LEASE_MS', type: int(1000, 3600000), default: 120000, description: 'How long a claimed transmission stays with its instance; a send still unanswered then is treated as uncertain and reconciled.' },
  { key: 'outbox.retryBaseMs', env: 'DMP_GATEWAY_OUTBOX_RETRY_BASE_MS', type: int(10, 3600000), default: 30000, description: 'First retry delay; doubles each attempt (with jitter).' },
  { key: 'outbox.retryMaxMs', env: 'DMP_GATEWAY_OUTBOX_RETRY_MAX_MS', type: int(10, 86400000), default: 3600000, description: 'Longest delay between two attempts.' },
  { key: 'outbox.maxAttempts', env: 'DMP_GATEWAY_OUTBOX_MAX_ATTEMPTS', type: int(1, 1000), default: 48, description: 'Attempts before a transmission is failed (dead letter, replayable).' },
  { key: 'outbox.maxAgeHours', env: 'DMP_GATEWAY_OUTBOX_MAX_AGE_HOURS', type: int(1, 8760), default: 72, description: 'Age after which an undelivered transmission is failed (dead letter, replayable).' },
  { key: 'outbox.breakerThreshold', env: 'DMP_GATEWAY_OUTBOX_BREAKER_THRESHOLD', type: int(1, 1000), default: 5, description: 'Consecutive transient failures that open the circuit breaker (sending pauses).' },
  { key: 'outbox.breakerCooldownMs', env: 'DMP_GATEWAY_OUTBOX_BREAKER_COOLDOWN_MS', type: int(10, 3600000), default: 30000, description: 'How long the breaker stays open before one trial send.' },
  { key: 'outbox.documentWorker', env: 'DMP_GATEWAY_OUTBOX_DOCUMENT_WORKER', type: bool, default: true, description: 'Build and check documents (PDF copy, CDA, conformance gate) in a worker thread, so that intake and delivery are not held up; false runs them on the main thread.' },
  { key: 'retention.days', env: 'DMP_GATEWAY_RETENTION_DAYS', type: int(1, 36500), default: 90, description: 'Raw inputs and document bodies of finished transmissions are dropped after this many days (hashes and the audit trail stay).' },
  // --- access: client certificates for the SIL (issue 8) ---
  { key: 'http.tlsP12', env: 'DMP_GATEWAY_HTTP_TLS_P12', type: str, description: "PKCS#12 of the gateway's own HTTPS server certificate (passphrase pki.passphrase). When set, HTTPS with optional client certificates also listens on http.tlsPort." },
  { key: 'http.tlsPort', env: 'DMP_GATEWAY_HTTP_TLS_PORT', type: int(0, 65535), default: 8443, description: 'HTTPS port (only with http.tlsP12).' },
  { key: 'sil.clientCertFingerprints', env: 'DMP_GATEWAY_SIL_CLIENT_CERT_FINGERPRINTS', type: list, default: [], description: 'SHA-256 fingerprints (AA:BB:…) of SIL client certificates that authenticate as role sil over HTTPS instead of a token; they must chain to <pki.dir>/ca-bundle.pem.' },
  // --- DMP receipts to the SIL (ZAM^Z01, issue 3): sent over MLLP when the SIL's message asks (ACK_RECEPTION = Y) ---
  { key: 'sil.receipts.host', env: 'DMP_GATEWAY_SIL_RECEIPTS_HOST', type: str, description: "Host of the SIL's MLLP listener that takes the DMP receipts (ZAM^Z01) it asks for with ACK_RECEPTION = Y. Sent by the instances that run the outbox workers. Unset: receipts are kept in the database, not sent, until it is set (with sil.receipts.port)." },
  { key: 'sil.receipts.port', env: 'DMP_GATEWAY_SIL_RECEIPTS_PORT', type: int(1, 65535), description: "Port of the SIL's MLLP listener for the DMP receipts (with sil.receipts.host)." },
  { key: 'sil.receipts.timeoutMs', env: 'DMP_GATEWAY_SIL_RECEIPTS_TIMEOUT_MS', type: int(100, 600000), default: 30000, description: "How long to wait for the SIL's acknowledgement of one receipt before trying again later." },
  { key: 'sil.receipts.maxAttempts', env: 'DMP_GATEWAY_SIL_RECEIPTS_MAX_ATTEMPTS', type: int(1, 1000), default: 48, description: 'Attempts before a receipt is given up (audited); the delay between attempts follows outbox.retryBaseMs and outbox.retryMaxMs.' },
  { key: 'ui.enabled', env: 'DMP_GATEWAY_UI_ENABLED', type: bool, default: true, description: 'Serve the dashboard at /ui/.' },
  // --- DMP delivery: XDS.b / MHD, VIHF, XAdES (issue 6) ---
  { key: 'dmp.timeoutMs', env: 'DMP_GATEWAY_DMP_TIMEOUT_MS', type: int(500, 600000), default: 60000, description: 'How long to wait for the DMP answer to one request; a request sent and not answered in time is uncertain (reconciled with ITI-18).' },
  { key: 'dmp.repositoryPath', env: 'DMP_GATEWAY_DMP_REPOSITORY_PATH', type: str, default: '/repository', description: 'Path of the ITI-41 service under dmp.endpoint (DRIMbox: /repository).' },
  { key: 'dmp.registryPath', env: 'DMP_GATEWAY_DMP_REGISTRY_PATH', type: str, default: '/registry', description: 'Path of the ITI-18 service under dmp.endpoint (DRIMbox: /registry).' },
  { key: 'dmp.authP12', env: 'DMP_GATEWAY_DMP_AUTH_P12', type: str, description: "PKCS#12 of the structure's authentication certificate for mutual TLS (default: <pki.dir>/structureAuth.p12; passphrase pki.passphrase)." },
  { key: 'dmp.signP12', env: 'DMP_GATEWAY_DMP_SIGN_P12', type: str, description: "PKCS#12 of the structure's signature certificate that signs the VIHF and the XAdES (default: <pki.dir>/structureSign.p12)." },
  { key: 'dmp.trustBundle', env: 'DMP_GATEWAY_DMP_TRUST_BUNDLE', type: str, description: 'PEM bundle the DMP server certificate must chain to (default: <pki.dir>/ca-bundle.pem).' },
  { key: 'dmp.vihfVersion', env: 'DMP_GATEWAY_DMP_VIHF_VERSION', type: oneOf('3.0', '4.0'), default: '3.0', description: 'VIHF_Version attribute: 3.0 as in the IG example and DRIMbox; the IG table says 4.0 (docs/decisions.md).' },
  { key: 'dmp.signatureDigest', env: 'DMP_GATEWAY_DMP_SIGNATURE_DIGEST', type: oneOf('sha256', 'sha1'), default: 'sha256', description: 'Digest of the VIHF and XAdES signatures (RSA-SHA256 or RSA-SHA1 as DRIMbox) and of the XAdES manifest.' },
  { key: 'dmp.signatureFormatCode', env: 'DMP_GATEWAY_DMP_SIGNATURE_FORMAT_CODE', type: oneOf('http://www.w3.org/2000/09/xmldsig#', 'urn:ihe:iti:dsg:detached:2014'), default: 'http://www.w3.org/2000/09/xmldsig#', description: 'formatCode of the submission-set signature entry: DRIMbox value, or the newer IHE DSG code.' },
  { key: 'dmp.authnContextClassRef', env: 'DMP_GATEWAY_DMP_AUTHN_CONTEXT', type: str, default: 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified', description: 'VIHF AuthnContextClassRef (IG example: unspecified; DRIMbox: TLSClient).' },
  { key: 'dmp.responsibleId', env: 'DMP_GATEWAY_DMP_RESPONSIBLE_ID', type: str, sandboxDefault: 'RESPONSABLE-TRAITEMENT-TEST', description: 'VIHF Subject/NameID: identifier of the person responsible for the automated processing.' },
  { key: 'dmp.subjectName', env: 'DMP_GATEWAY_DMP_SUBJECT_NAME', type: str, default: 'dmp-gateway', description: 'VIHF subject-id for automated processing ("software, model, service").' },
  { key: 'dmp.sectorOfActivity', env: 'DMP_GATEWAY_DMP_SECTOR', type: str, default: 'SA25^1.2.250.1.71.4.2.4', description: 'VIHF Secteur_Activite, code^OID (SA25: laboratoire de biologie médicale).' },
  { key: 'dmp.role', env: 'DMP_GATEWAY_DMP_ROLE', type: str, default: 'AUTOMATE^1.2.250.1.213.1.1.4.6', description: 'VIHF subject:role, code^OID (JDV_J65; AUTOMATE for a system).' },
  { key: 'dmp.lpsName', env: 'DMP_GATEWAY_DMP_LPS_NAME', type: str, default: 'dmp-gateway', description: 'VIHF LPS_Nom.' },
  { key: 'dmp.lpsVersion', env: 'DMP_GATEWAY_DMP_LPS_VERSION', type: str, default: '0.1.0', description: 'VIHF LPS_Version.' },
  { key: 'dmp.lpsHomologation', env: 'DMP_GATEWAY_DMP_LPS_HOMOLOGATION', type: str, sandboxDefault: 'SANDBOX-HOMOLOGATION', description: 'VIHF LPS_ID_HOMOLOGATION_DMP: the DMP homologation number of the software.' },
  { key: 'dmp.sourceId', env: 'DMP_GATEWAY_DMP_SOURCE_ID', type: oid, description: 'XDSSubmissionSet.sourceId, OID of the sending system (default: lab.oid).' },
  { key: 'dmp.contentTypeCode', env: 'DMP_GATEWAY_DMP_CONTENT_TYPE_CODE', type: str, default: '07^1.2.250.1.213.2.2^Consultation externe', description: 'XDSSubmissionSet.contentTypeCode as code^OID^display (JDV_J59; open question for a city lab, docs/decisions.md).' },
  { key: 'dmp.patientIdOid', env: 'DMP_GATEWAY_DMP_PATIENT_ID_OID', type: oid, description: "INS OID written in patientId and the VIHF when it must differ from the CDA's (left unset: the CDA's)." },
  { key: 'dmp.lookupInsOid', env: 'DMP_GATEWAY_DMP_LOOKUP_INS_OID', type: oid, default: '1.2.250.1.213.1.4.8', sandboxDefault: '1.2.250.1.213.1.4.10', description: 'INS OID of the VIHF of an ITI-18 lookup given only the INS value.' },
  { key: 'dmp.visibilityRules', env: 'DMP_GATEWAY_DMP_VISIBILITY_RULES', type: list, default: [], description: 'Lab rules LOINC=CODE[+CODE], e.g. 7918-6=INVISIBLE_PATIENT: a report holding that result carries those DMP visibility codes.' },
  // --- INS identity gate and INSi (issue 4) ---
  { key: 'ins.requireEvidence', env: 'DMP_GATEWAY_INS_REQUIRE_EVIDENCE', type: bool, default: false, description: 'Hold a QUAL identity whose ID-document check (document type) is not given by the SIL.' },
  { key: 'insi.idam', env: 'DMP_GATEWAY_INSI_IDAM', type: str, sandboxDefault: 'SANDBOX-IDAM-0001', description: 'Software authorisation number (IDAM) given by the CNDA, sent in ContexteLPS; INSi answers desir_550 to an unknown one.' },
  { key: 'insi.clientP12', env: 'DMP_GATEWAY_INSI_CLIENT_P12', type: str, description: 'PKCS#12 of the INSi client certificate, CN INSI-AUTO (default: <pki.dir>/insiClient.p12; passphrase pki.passphrase).' },
  { key: 'insi.trustBundle', env: 'DMP_GATEWAY_INSI_TRUST_BUNDLE', type: str, description: 'PEM bundle the INSi server certificate must chain to (default: <pki.dir>/ca-bundle.pem).' },
  { key: 'insi.timeoutMs', env: 'DMP_GATEWAY_INSI_TIMEOUT_MS', type: int(100, 120000), default: 15000, description: 'How long to wait for one INSi answer.' },
];
