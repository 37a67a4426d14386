export * from './kafka-test.harness';
export * from './test-tenants.fixture';
export * from './app-under-test';
export * from './hostile-input.harness';
export * from './private-kafka';
