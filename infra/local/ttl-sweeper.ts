import { BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinition } from '../../shared/db/table.ts';

/**
 * The local stand-in for DynamoDB's TTL deletion, which DynamoDB Local does not perform: deletes
 * the items whose TTL attribute (`expiresAt`, epoch seconds) has passed, so the retention periods
 * of `shared/config.ts` hold under `npm start` too. A background job of the local runtime, never a
 * request path, so a Scan (filtered, keys only) is what it is.
 */
export async function sweepExpired(client: DynamoDBDocumentClient, tableName: string, now = Math.floor(Date.now() / 1000)): Promise<number> {
  const ttl = tableDefinition.timeToLiveAttribute;
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#ttl < :now',
        ProjectionExpression: 'pk, sk',
        ExpressionAttributeNames: { '#ttl': ttl },
        ExpressionAttributeValues: { ':now': now },
        ExclusiveStartKey: start,
      }),
    );
    const keys = out.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0 && attempt < 8; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const res = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (res.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
      deleted += Math.min(25, keys.length - i) - requests.length;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return deleted;
}

/** Sweeps a minute after start and then every `everyMs` (default an hour); failures are reported and retried next time. */
export function startTtlSweeper(client: DynamoDBDocumentClient, tableName: string, report: (line: string) => void, everyMs = 3_600_000): { stop(): void } {
  const run = () =>
    sweepExpired(client, tableName).then(
      (n) => n > 0 && report(`retention: deleted ${n} expired item${n === 1 ? '' : 's'}`),
      (e: unknown) => report(`retention sweep failed (retried in an hour): ${e instanceof Error ? e.message : String(e)}`),
    );
  const first = setTimeout(run, 60_000);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return { stop: () => (clearTimeout(first), clearInterval(timer)) };
}
