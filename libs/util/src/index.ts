export * from './backoff/backoff';
export * from './hash/content-hash';
export * from './validation/dto-fields';
export * from './validation/dto-validation';
export * from './time/local-date';
