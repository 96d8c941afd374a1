/**
 * Code tables of CR-BIO 2024.01 (standards.md §3). Display names are copied from the ANS value sets
 * (jeuxDeValeurs/*.xml of the TestContenuCDA kit) or from the official examples.
 */
import { LOINC } from './datatypes.js';

/** Laboratory chapters (LOINC "laboratory report section" codes) with their CI-SIS display names. */
export const LAB_CHAPTERS = {
  '18717-9': 'Banque du sang',
  '18718-7': 'Protéines, marqueurs tumoraux, vitamines',
  '18719-5': 'Biochimie',
  '18720-3': 'Hémostase',
  '18721-1': 'Suivi thérapeutique médicamenteux',
  '18722-9': 'Biologie de la reproduction',
  '18723-7': 'Hématologie',
  '18724-5': 'HLA',
  '18725-2': 'Microbiologie',
  '18727-8': 'Sérologie',
  '18728-6': 'Toxicologie',
  '18729-4': 'Analyses urinaires',
  '18767-4': 'Gaz du sang',
  '18768-2': 'Numération cellulaire',
  '18769-0': 'Antibiogramme',
  '26435-8': 'Pathologie moléculaire',
  '26436-6': 'Examens de laboratoire',
  '26437-4': 'Épreuves dynamiques',
  '26438-2': 'Cytologie',
} as const satisfies Record<string, string>;
export type LabChapterCode = keyof typeof LAB_CHAPTERS;
/** Used when neither the battery nor the settings name a chapter. */
export const DEFAULT_CHAPTER: LabChapterCode = '26436-6';
export const isLabChapter = (code: string): code is LabChapterCode => Object.hasOwn(LAB_CHAPTERS, code);

/** HL7 v2 table 0074 (OBR-24 diagnostic service section) → chapter, for SILs that only give that. */
export const SERVICE_SECTION_TO_CHAPTER: Readonly<Record<string, LabChapterCode>> = {
  CH: '18719-5',
  HM: '18723-7',
  MB: '18725-2',
  SR: '18727-8',
  BLB: '18717-9',
  TX: '18728-6',
  DRUG: '18721-1',
  CG: '26435-8',
  CP: '26438-2',
  URN: '18729-4',
  BG: '18767-4',
  IMM: '18727-8',
  VR: '18725-2',
  MYC: '18725-2',
  PAR: '18725-2',
  COAG: '18720-3',
};

/**
 * Chapter of frequent LOINC panels and tests, for SILs that send no chapter (OBR-24): the LOINC CLASS of each code
 * (CHEM → Biochimie, HEM/BC → Hématologie, COAG → Hémostase, MICRO → Microbiologie, SERO → Sérologie…).
 * A code missing here gets the default chapter with a warning. [Low: a starter table, extend per lab.]
 */
export const LOINC_CHAPTER_HINTS: Readonly<Record<string, LabChapterCode>> = {
  // Biochimie (CHEM panels and common tests)
  '24320-4': '18719-5', '24321-2': '18719-5', '24322-0': '18719-5', '24323-8': '18719-5', '24326-1': '18719-5',
  '24331-1': '18719-5', '24362-6': '18719-5', '24325-3': '18719-5', '57698-3': '18719-5', '14749-6': '18719-5',
  '2345-7': '18719-5', '2339-0': '18719-5', '40193-5': '18719-5', '53049-3': '18719-5', '2160-0': '18719-5',
  '14682-9': '18719-5', '2823-3': '18719-5', '2951-2': '18719-5', '2093-3': '18719-5', '1751-7': '18719-5',
  '1920-8': '18719-5', '1742-6': '18719-5', '22664-7': '18719-5', '3016-3': '18719-5', '3024-7': '18719-5',
  '4548-4': '18719-5', '1988-5': '18719-5', '2085-9': '18719-5', '2089-1': '18719-5', '2571-8': '18719-5',
  // Hématologie
  '58410-2': '18723-7', '57021-8': '18723-7', '57782-5': '18723-7', '6690-2': '18723-7', '718-7': '18723-7',
  '789-8': '18723-7', '787-2': '18723-7', '777-3': '18723-7', '770-8': '18723-7', '4537-7': '18723-7',
  // Hémostase
  '34528-0': '18720-3', '5902-2': '18720-3', '6301-6': '18720-3', '34714-6': '18720-3', '3173-2': '18720-3',
  '3255-7': '18720-3',
  // Microbiologie
  '630-4': '18725-2', '5821-4': '18725-2', '18769-0': '18725-2', '29576-6': '18725-2', '600-7': '18725-2',
  '94500-6': '18725-2',
  // Sérologie
  '22587-0': '18727-8', '20507-0': '18727-8', '5196-1': '18727-8', '31147-2': '18727-8', '7905-3': '18727-8',
  '22577-1': '18727-8', '25542-2': '18727-8', '8039-6': '18727-8',
};

/** JDV_HL7_ObservationInterpretation_CISIS (2.16.840.1.113883.1.11.78), codes of 2.16.840.1.113883.5.83. */
export const INTERPRETATIONS: Readonly<Record<string, string>> = {
  '<': 'Inférieur à la limite de détection',
  '>': 'Supérieur à la limite maximale de mesure',
  A: 'Anormal',
  AA: 'Très anormal, alerte',
  B: 'Amélioration',
  CAR: "Porteur d'une forme altérée d'un gène",
  D: 'Diminution significative par rapport au résultat antérieur',
  DET: 'Détecté',
  E: 'Équivoque',
  EX: 'Hors seuils',
  EXP: 'Attendu',
  H: 'Anormalement haut',
  HH: 'Très anormalement haut, alerte',
  HU: 'Significativement haut',
  HX: 'Hors seuil supérieur',
  I: 'Intermédiaire',
  IE: 'Preuves insuffisantes',
  IND: 'Indéterminé',
  L: 'Anormalement bas',
  LL: 'Très anormalement bas, alerte',
  LU: 'Significativement bas',
  LX: 'Hors seuil inférieur',
  N: 'Normal',
  NCL: 'Pas de standard défini',
  ND: 'Non détecté',
  NEG: 'Négatif',
  NR: 'Non réactif',
  NS: 'Non sensible',
  POS: 'Positif',
  R: 'Résistant',
  RR: 'Réactif',
  S: 'Sensible',
  SDD: 'Sensible à forte dose',
  'SYN-R': 'Synergie - résistant',
  'SYN-S': 'Synergie - sensible',
  U: 'Augmentation significative par rapport au résultat antérieur',
  UNE: 'Inattendu',
  W: 'Dégradation',
  WR: 'Faiblement réactif',
};
export const OID_INTERPRETATION = '2.16.840.1.113883.5.83';

/** HL7 v2 table 0487 specimen types (JDV_HL7_SpecimenType_CISIS), display names of common ones. */
export const SPECIMEN_TYPES: Readonly<Record<string, string>> = {
  BLD: 'Sang',
  BLDA: 'Sang artériel',
  BLDC: 'Sang capillaire',
  BLDV: 'Sang veineux',
  SER: 'Sérum',
  PLAS: 'Plasma',
  UR: 'Urine',
  CSF: 'Liquide céphalorachidien',
  STL: 'Selles',
  SPT: 'Expectoration (crachat)',
  THRT: 'Gorge',
  NOS: 'Prélèvement nasopharyngée',
  GENV: 'Prélèvement vaginal',
  CVX: 'Col de l’utérus',
  SAL: 'Salive',
  SMN: 'Sperme',
  PUS: 'Pus',
  WND: 'Plaie',
};
export const OID_SPECIMEN_TYPE = '2.16.840.1.113883.18.311';

export const SEX_DISPLAY = { M: 'Masculin', F: 'Féminin', U: 'Inconnu' } as const;
export const OID_ADMINISTRATIVE_GENDER = '2.16.840.1.113883.5.1';

/** JDV_J01 author specialties (1.2.250.1.213.1.1.4.5) used by default. */
export const OID_AUTHOR_SPECIALTY = '1.2.250.1.213.1.1.4.5';
export const BIOLOGIST_SPECIALTY = { code: 'G15_10/SM03', system: OID_AUTHOR_SPECIALTY, display: 'Médecin - Biologie médicale (SM)' };
/** TRE_A00 ProducteurDocNonPS: the SIL as author. */
export const DEVICE_AUTHOR = { code: 'DISPOSITIF', system: '1.2.250.1.213.1.1.4.6', display: 'Dispositif médical' };

/** TRE_A01 CadreExercice (practiceSettingCode). */
export const PRACTICE_SETTINGS = {
  AMBULATOIRE: 'Ambulatoire',
  ETABLISSEMENT: 'Etablissement de santé',
} as const;
export type PracticeSetting = keyof typeof PRACTICE_SETTINGS;
export const OID_PRACTICE_SETTING = '1.2.250.1.213.1.1.4.9';

export const DOC_CODE = { code: '11502-2', system: LOINC, display: "CR d'examens biologiques" };
export const DOC_TITLE = "Compte rendu d'examens biologiques";
