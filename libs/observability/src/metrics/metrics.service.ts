import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { MetricNames } from './metric-names';

/**
 * One prom-client registry per app instance (not the global default), so several apps can run in one
 * test process without clobbering each other's metrics.
 */
export class MetricsService {
  readonly registry = new Registry();
  readonly messagesConsumed: Counter<'topic' | 'group'>;
  readonly messagesProduced: Counter<'topic'>;
  readonly messagesFailed: Counter<'topic' | 'group' | 'reason'>;
  readonly messagesDeadLettered: Counter<'topic' | 'group'>;
  readonly handlerDuration: Histogram<'topic' | 'group' | 'outcome'>;
  private readonly counters = new Map<string, Counter<string>>();
  private readonly gauges = new Map<string, Gauge<string>>();
  private readonly histograms = new Map<string, Histogram<string>>();

  constructor(
    readonly app: string,
    opts: { defaultMetrics?: boolean } = {},
  ) {
    this.registry.setDefaultLabels({ app });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.messagesConsumed = this.counter(MetricNames.MessagesConsumed, 'Messages handled successfully, by topic', [
      'topic',
      'group',
    ]);
    this.messagesProduced = this.counter(MetricNames.MessagesProduced, 'Messages acknowledged by Kafka, by topic', [
      'topic',
    ]);
    this.messagesFailed = this.counter(
      MetricNames.MessagesFailed,
      'Handler attempts that failed, by topic and reason',
      ['topic', 'group', 'reason'],
    );
    this.messagesDeadLettered = this.counter(MetricNames.MessagesDeadLettered, 'Messages sent to a dead-letter topic', [
      'topic',
      'group',
    ]);
    this.handlerDuration = this.histogram(
      MetricNames.HandlerDuration,
      'Message handler latency in seconds',
      ['topic', 'group', 'outcome'],
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
  }

  counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter({ name, help, labelNames, registers: [this.registry] });
      this.counters.set(name, c);
    }
    return c as Counter<L>;
  }

  /** A gauge; `collect` (optional) sets its values at every scrape, for values that change while nothing happens. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: L[] = [],
    collect?: (gauge: Gauge<L>) => void,
  ): Gauge<L> {
    let g = this.gauges.get(name);
    if (!g) {
      g = new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        ...(collect ? { collect: () => collect(g as Gauge<L>) } : {}),
      });
      this.gauges.set(name, g);
    }
    return g as Gauge<L>;
  }

  histogram<L extends string>(name: string, help: string, labelNames: L[] = [], buckets?: number[]): Histogram<L> {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
      this.histograms.set(name, h);
    }
    return h as Histogram<L>;
  }

  contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
