export * from './kafka-test.harness';
