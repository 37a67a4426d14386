export * from './lib/sage-x3-simulator';
export * from './lib/simulator-clock';
export * from './lib/seed.types';
export * from './lib/demo-seed';
export * from './lib/fault-injector';
export { FolderStore, SimulatorError, type X3Record, type WriteOptions } from './lib/folder-store';
export { SimulatorAuth, type AuthMode, type Principal } from './lib/simulator-auth';
export { X3_CLASSES, X3_YES, X3_NO, type X3ClassDef } from './lib/x3-classes';
export { validateJournalEntry, validatePurchaseInvoice, type SimDiagnosis } from './lib/business-rules';
