export { buildCrBio } from './build.js';
export type { BuildAttachments, BuiltDocument, CdaSettings, DocumentVersion } from './types.js';
export { LAB_CHAPTERS, SERVICE_SECTION_TO_CHAPTER, INTERPRETATIONS, PRACTICE_SETTINGS, type PracticeSetting } from './codes.js';
export { humanDate, valueText, rangeText, interpretationText, practitionerText } from './narrative.js';
export { chapterOf, type Chapter } from './body.js';
