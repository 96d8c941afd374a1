export * from './oids.js';
export * from './nir.js';
export * from './normalize.js';
export * from './rules.js';
export * from './compare.js';
export * from './consistency.js';
export * from './gate.js';
export * from './qualification.js';
