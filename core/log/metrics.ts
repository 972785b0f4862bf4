// The services' one custom metric, open client sessions, published as CloudWatch embedded metric
// format (EMF) lines on stdout: the awslogs driver ships them and CloudWatch extracts the metric, so
// no API call and no extra permission. Autoscaling tracks its per-task average (lib/constructs/
// fargate-mail-service.ts reads CONNECTION_METRIC from here, so the two never drift).

export const CONNECTION_METRIC = { namespace: 'Yubin', metricName: 'ActiveConnections', dimension: 'Service' } as const;

/** One EMF document (CloudWatch EMF specification: `_aws` metadata + the values at the root). */
export function connectionMetricLine(service: string, activeConnections: number, timestampMs: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: CONNECTION_METRIC.namespace,
          Dimensions: [[CONNECTION_METRIC.dimension]],
          Metrics: [{ Name: CONNECTION_METRIC.metricName, Unit: 'Count' }],
        },
      ],
    },
    [CONNECTION_METRIC.dimension]: service,
    [CONNECTION_METRIC.metricName]: activeConnections,
  });
}

export interface ConnectionMetricOptions {
  /** `smtp` or `mail-access`: must match the service name the stack gives the autoscaling policy. */
  readonly service: string;
  readonly activeConnections: () => number;
  readonly write?: (line: string) => void;
  /** Default: 60 s, the metric's period in the scaling policy. */
  readonly intervalMs?: number;
}

/** Publishes the session count once per interval until stopped; the timer never keeps the process alive. */
export function startConnectionMetric(options: ConnectionMetricOptions): { stop(): void } {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timer = setInterval(
    () => write(connectionMetricLine(options.service, options.activeConnections(), Date.now())),
    options.intervalMs ?? 60_000,
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
