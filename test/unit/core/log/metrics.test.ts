import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { CONNECTION_METRIC, connectionMetricLine, startConnectionMetric } from '../../../../core/log/metrics.js';

test('an EMF line declares the Yubin/ActiveConnections metric by Service and carries its value', () => {
  const line = JSON.parse(connectionMetricLine('smtp', 42, 1_700_000_000_000)) as Record<string, unknown>;
  assert.deepEqual(line, {
    _aws: {
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [{ Namespace: 'Yubin', Dimensions: [['Service']], Metrics: [{ Name: 'ActiveConnections', Unit: 'Count' }] }],
    },
    Service: 'smtp',
    ActiveConnections: 42,
  });
  assert.equal(CONNECTION_METRIC.metricName, 'ActiveConnections');
});

test('the reporter writes the current count once per interval until stopped', () => {
  mock.timers.enable({ apis: ['setInterval', 'Date'] });
  try {
    const lines: string[] = [];
    let sessions = 3;
    const reporter = startConnectionMetric({
      service: 'mail-access',
      activeConnections: () => sessions,
      write: (line) => lines.push(line),
      intervalMs: 1000,
    });
    mock.timers.tick(999);
    assert.equal(lines.length, 0);
    mock.timers.tick(1);
    sessions = 7;
    mock.timers.tick(1000);
    reporter.stop();
    mock.timers.tick(5000);
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { ActiveConnections: number }).ActiveConnections),
      [3, 7],
    );
  } finally {
    mock.timers.reset();
  }
});
