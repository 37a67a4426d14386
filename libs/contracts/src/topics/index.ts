export * from './topic-names';
export * from './topic-catalogue';
