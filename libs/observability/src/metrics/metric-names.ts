/** Every metric the connector exports, in one place (names are part of the alerting contract). */
export const MetricNames = {
  MessagesConsumed: 'connector_messages_consumed_total',
  MessagesProduced: 'connector_messages_produced_total',
  MessagesFailed: 'connector_messages_failed_total',
  MessagesDeadLettered: 'connector_messages_dead_lettered_total',
  HandlerDuration: 'connector_handler_duration_seconds',
  ConsumerLag: 'connector_consumer_lag',
  StateViewInvalid: 'connector_state_view_invalid_total',
  WebhooksReceived: 'connector_webhooks_received_total',
  WebhooksRejected: 'connector_webhooks_rejected_total',
  WebhookDuplicates: 'connector_webhook_duplicates_total',
  PullRecords: 'connector_pull_records_total',
  PullErrors: 'connector_pull_errors_total',
  ExternalCalls: 'connector_external_calls_total',
  ExternalCallDuration: 'connector_external_call_duration_seconds',
  TokenRefreshes: 'connector_token_refreshes_total',
  TokenRefreshFailures: 'connector_token_refresh_failures_total',
  RefreshTokenExpirySeconds: 'connector_refresh_token_expiry_seconds',
  Postings: 'connector_postings_total',
  Replays: 'connector_replays_total',
  AuditRecords: 'connector_audit_records_total',
} as const;
export type MetricName = (typeof MetricNames)[keyof typeof MetricNames];
