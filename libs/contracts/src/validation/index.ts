export * from './decimal-string.decorator';
export * from './message-decoder';
