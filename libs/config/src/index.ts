export * from './env/env-validation';
export * from './env/common-env';
export * from './secrets/secret-box';
export * from './tenants/tenant-config';
export * from './tenants/tenant-registry';
export * from './tenants/tenant-secrets.editor';
export * from './tenants/tenants.module';
