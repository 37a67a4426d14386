export * from './decimal-string.decorator';
export * from './date-only.decorator';
export * from './entity-id.decorator';
export * from './message-decoder';
