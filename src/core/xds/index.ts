export * from './constants.js';
export * from './cda-header.js';
export * from './hl7v2.js';
export * from './metadata.js';
export * from './ebrim.js';
export * from './visibility.js';
export { parseXml } from './dom.js';
export * from './answer.js';
export * from './mhd.js';
