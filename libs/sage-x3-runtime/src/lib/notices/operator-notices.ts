import {
  createEnvelope,
  MessageSource,
  NoticeSeverity,
  OPERATOR_NOTICE,
  OperatorNoticeV1,
  Topics,
} from '@connector/contracts';
import { MessagePublisher } from '@connector/messaging';
import { Logger } from '@nestjs/common';

/**
 * Publishes operator notices (connector.operator-notice.v1, key `<tenant>:<code>`), which the audit trail keeps.
 * A notice that cannot be published is logged, never thrown: it must not stop the work it reports on.
 */
export class OperatorNotices {
  private readonly logger = new Logger('operator-notices');

  constructor(
    private readonly publisher: MessagePublisher,
    private readonly source: MessageSource,
  ) {}

  async publish(
    tenant: string,
    code: string,
    severity: NoticeSeverity,
    message: string,
    details?: Record<string, unknown>,
  ): Promise<boolean> {
    const payload: OperatorNoticeV1 = { code, severity, message, ...(details ? { details } : {}) };
    try {
      await this.publisher.publish(
        Topics.OperatorNotice,
        createEnvelope({ type: OPERATOR_NOTICE, tenant, source: this.source, payload }),
        { key: `${tenant}:${code}` },
      );
      return true;
    } catch (e) {
      this.logger.error({ msg: 'operator notice not published', tenant, code, err: e as Error });
      return false;
    }
  }
}
