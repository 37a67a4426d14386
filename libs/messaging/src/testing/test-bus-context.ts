import { MessageEnvelope } from '@connector/contracts';
import { BusContext } from '../transport/bus-context';

/** A BusContext for unit tests of handlers (integration tests get real ones from the transport). */
export function testBusContext<P>(
  envelope: MessageEnvelope<P>,
  fields: Partial<{
    topic: string;
    key: string | null;
    headers: Record<string, string>;
    partition: number;
    offset: string;
    attempt: number;
    maxAttempts: number;
    group: string;
  }> = {},
): BusContext<P> {
  return new BusContext<P>({
    group: fields.group ?? 'test-group',
    topic: fields.topic ?? 'test.topic.v1',
    partition: fields.partition ?? 0,
    offset: fields.offset ?? '0',
    key: fields.key ?? null,
    headers: fields.headers ?? {},
    timestamp: String(Date.now()),
    envelope,
    raw: Buffer.from(JSON.stringify(envelope)),
    attempt: fields.attempt ?? 1,
    maxAttempts: fields.maxAttempts ?? 1,
    heartbeat: async () => undefined,
  });
}
