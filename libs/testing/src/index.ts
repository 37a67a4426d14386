export * from './kafka-test.harness';
export * from './test-tenants.fixture';
export * from './app-under-test';
