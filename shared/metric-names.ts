/** The names of Clearway's own CloudWatch metrics (namespace `Clearway`): emitted by shared/metrics.ts, alarmed on in infra/aws. */
export const MetricName = {
  HouseholdsRegistered: 'HouseholdsRegistered',
  ImportRowsImported: 'ImportRowsImported',
  ImportRowsRejected: 'ImportRowsRejected',
  EventsPublished: 'EventsPublished',
  EventsDelivered: 'EventsDelivered',
  WebhookFailures: 'WebhookFailures',
  ReturnSafetyChanges: 'ReturnSafetyChanges',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];
