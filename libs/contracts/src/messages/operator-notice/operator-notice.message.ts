import { IsIn, IsObject, IsOptional, IsString, Matches } from 'class-validator';

export const OPERATOR_NOTICE = 'connector.operator-notice';

export const NOTICE_SEVERITIES = ['info', 'warning', 'error'] as const;
export type NoticeSeverity = (typeof NOTICE_SEVERITIES)[number];

/**
 * Something an operator must know that is not a record's outcome (topic connector.operator-notice.v1, key
 * `<tenant>:<code>`), kept by the audit trail: a Sage X3 refresh token nearing its end, a refresh refused, a
 * refresh token seeded by the CLI, a tenant refused because its configured X3 fields do not exist.
 */
export class OperatorNoticeV1 {
  /** Stable kebab-case code, e.g. `x3-refresh-token-expiring`, `x3-fields-refused`. */
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'code must be a kebab-case code' }) code!: string;
  @IsIn(NOTICE_SEVERITIES as unknown as string[]) severity!: NoticeSeverity;
  /** One sentence for the operator (never a secret). */
  @IsString() message!: string;
  /** Structured facts (days left, expiry, the fields named…); never a secret. */
  @IsOptional() @IsObject() details?: Record<string, unknown>;
}
