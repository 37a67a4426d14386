// Public surface for the end-to-end suite only (apps/connector-e2e); apps never import each other.
export { AppModule } from './app/app.module';
export { AuditServiceEnv } from './app/audit-service.env';
export { configureAuditApp } from './app/configure-app';
export { fetchReconciliationExports, runReconcileCli } from './app/testing/reconciliation-exports.parse';
export type { ReconciliationReport } from './app/reconciliation/reconciliation.report';
export {
  call as auditTestCall,
  startAuditApp as startAuditTestApp,
  TEST_DRIVERS as AUDIT_TEST_DRIVERS,
  TEST_TOKENS as AUDIT_TEST_TOKENS,
} from './app/testing/audit-test.harness';
export type { RunningAuditApp, TestDatabase } from './app/testing/audit-test.harness';
