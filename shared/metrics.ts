import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { MetricName } from './metric-names.ts';

export { MetricName };

/**
 * The numbers operators watch, as CloudWatch metrics in the Embedded Metric Format: written to
 * the function's log on flush (no SDK client, no request), in namespace `Clearway`. Lambda handlers
 * flush after each invocation (`logMetrics` middleware); `npm start` and the tests run with
 * `POWERTOOLS_METRICS_DISABLED=true`, so nothing is printed there.
 */
export const metrics = new Metrics({ namespace: 'Clearway', serviceName: 'clearway' });

/** Adds `value` (a count) to a metric of this invocation; zero adds nothing. */
export function count(name: MetricName, value = 1): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}
