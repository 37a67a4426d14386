export * from './message-envelope';
export * from './message-key';
export * from './envelope.factory';
