export { startDmpSimulator, type DmpSimulator, type DmpSimulatorOptions, type Fault, type FaultKind, type SimulatorPki } from './server.js';
export type { SimDocument } from './store.js';
