/** What the `notifications` function serves: webhook subscriptions, their dead letters, and the ministries' event feeds. */
export const notificationsFunction = {
  name: 'notifications',
  basePaths: ['/v1/subscriptions', '/v1/notifications'],
} as const;
