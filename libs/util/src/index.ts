export * from './backoff/backoff';
export * from './hash/content-hash';
