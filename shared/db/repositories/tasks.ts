import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { findId, type FindReviewRecord, type HistoryEntry, type Observation, type ProgressReport, type Task } from '../../domain/task.ts';
import { documentClient, tableName } from '../client.ts';
import { statusPrefix } from '../keys/hazard-area.ts';
import {
  findStateKey,
  observationKey,
  progressKey,
  taskCountryCopyKey,
  taskHistoryKey,
  taskKey,
  taskTeamCopyKey,
  tasksByCountry,
  tasksByProvince,
  tasksOfHazardArea,
  tasksOfTeam,
} from '../keys/task.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { appendPut, copyPut, versionedPut } from './versioned.ts';

/**
 * Every write that stores a task: the main item, guarded by its version, and its list copies
 * (per country, per team), rewritten with it so that every list shows the same version.
 */
export function taskWrites(task: Task, expectedVersion: number | 'new'): GuardedWrite[] {
  return [
    versionedPut(
      {
        ...taskKey(task.id),
        ...tasksOfHazardArea(task.hazardAreaId, task.status, task.id),
        ...tasksByProvince(task.province, task.status, task.id),
        entity: 'Task',
        ...task,
      },
      expectedVersion,
      `task ${task.id}`,
    ),
    ...task.countries.map((country) =>
      copyPut({ ...taskCountryCopyKey(task.id, country), ...tasksByCountry(country, task.status, task.id), entity: 'TaskCopy', ...task }),
    ),
    ...task.teamIds.map((teamId) =>
      copyPut({ ...taskTeamCopyKey(task.id, teamId), ...tasksOfTeam(teamId, task.status, task.id), entity: 'TaskCopy', ...task }),
    ),
  ];
}

export const taskHistoryWrite = (taskId: string, entry: HistoryEntry): GuardedWrite =>
  appendPut({ ...taskHistoryKey(taskId, entry.id), entity: 'TaskHistory', taskId, ...entry });

export const progressWrite = (report: ProgressReport): GuardedWrite =>
  appendPut({ ...progressKey(report.taskId, report.id), entity: 'ProgressReport', ...report });

export async function getTask(id: string): Promise<Task | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: taskKey(id), ConsistentRead: true }));
  return out.Item ? toResource<Task>(out.Item) : undefined;
}

/** One progress report of a task. */
export async function getProgress(taskId: string, reportId: string): Promise<ProgressReport | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: progressKey(taskId, reportId), ConsistentRead: true }));
  return out.Item ? toResource<ProgressReport>(out.Item) : undefined;
}

export type TaskListing =
  | { by: 'team'; teamId: string }
  | { by: 'country'; country: string }
  | { by: 'province'; province: string }
  | { by: 'hazardArea'; hazardAreaId: string };

/** One page of a task list, each a Query on one partition (status narrows the sort key). */
export function listTasks(listing: TaskListing, status: string | undefined, page: PageRequest): Promise<Page<Task>> {
  const prefix = statusPrefix(status);
  const scope = (s: string) => `tasks:${s}:status=${status ?? ''}`;
  switch (listing.by) {
    case 'team':
      return queryPage(page, {
        index: 'gsi1',
        partitionKey: ['gsi1pk', tasksOfTeam(listing.teamId, '', '').gsi1pk],
        sortKeyPrefix: ['gsi1sk', prefix],
        scope: scope(`team=${listing.teamId}`),
      });
    case 'hazardArea':
      return queryPage(page, {
        index: 'gsi1',
        partitionKey: ['gsi1pk', tasksOfHazardArea(listing.hazardAreaId, '', '').gsi1pk],
        sortKeyPrefix: ['gsi1sk', prefix],
        scope: scope(`hazard=${listing.hazardAreaId}`),
      });
    case 'country':
      return queryPage(page, {
        index: 'gsi2',
        partitionKey: ['gsi2pk', tasksByCountry(listing.country, '', '').gsi2pk],
        sortKeyPrefix: ['gsi2sk', prefix],
        scope: scope(`country=${listing.country}`),
      });
    case 'province':
      return queryPage(page, {
        index: 'gsi3',
        partitionKey: ['gsi3pk', tasksByProvince(listing.province, '', '').gsi3pk],
        sortKeyPrefix: ['gsi3sk', prefix],
        scope: scope(`province=${listing.province}`),
      });
  }
}

export const listTaskHistory = (id: string, page: PageRequest): Promise<Page<HistoryEntry>> =>
  queryPage(page, { partitionKey: ['pk', taskKey(id).pk], sortKeyPrefix: ['sk', 'HISTORY#'], scope: `task-history:${id}` });

/** What became of a find after its report: QA's review and the latest disposal. */
export interface FindState {
  findId: string;
  disposal?: ProgressReport['finds'][number]['disposal'];
  review?: FindReviewRecord;
  version: number;
}

/** The state item of a find, created on its first change and then guarded by its version. */
export const findStateWrite = (taskId: string, state: FindState): GuardedWrite =>
  versionedPut(
    { ...findStateKey(taskId, state.findId), entity: 'FindState', taskId, ...state },
    state.version === 1 ? 'new' : state.version - 1,
    `find ${state.findId}`,
  );

/** Every find state of a task (one Query; a task has at most a few hundred finds). */
export async function listFindStates(taskId: string): Promise<Map<string, FindState>> {
  const states = new Map<string, FindState>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :f)',
        ExpressionAttributeValues: { ':pk': taskKey(taskId).pk, ':f': 'FIND#' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const i of out.Items ?? [])
      states.set(i.findId, {
        findId: i.findId,
        version: i.version,
        ...(i.disposal ? { disposal: i.disposal } : {}),
        ...(i.review ? { review: i.review } : {}),
      });
    start = out.LastEvaluatedKey;
  } while (start);
  return states;
}

/** A progress report with every find as it is now: its id, its latest disposal and QA's review. */
export function withFindStates(report: ProgressReport, states: Map<string, FindState>): ProgressReport {
  return {
    ...report,
    finds: report.finds.map((f, i) => {
      const id = findId(report.id, i);
      const state = states.get(id);
      return { ...f, id, disposal: state?.disposal ?? f.disposal ?? 'NOT_RECORDED', ...(state?.review ? { review: state.review } : {}) };
    }),
  };
}

/** A page of progress reports, oldest first, with their finds as they are now. */
export async function listProgress(id: string, page: PageRequest): Promise<Page<ProgressReport>> {
  const [reports, states] = await Promise.all([
    queryPage<ProgressReport>(page, { partitionKey: ['pk', taskKey(id).pk], sortKeyPrefix: ['sk', 'PROGRESS#'], scope: `task-progress:${id}` }),
    listFindStates(id),
  ]);
  return { ...reports, items: reports.items.map((r) => withFindStates(r, states)) };
}

export const observationWrite = (o: Observation): GuardedWrite => appendPut({ ...observationKey(o.taskId, o.id), entity: 'Observation', ...o });

export const listObservations = (taskId: string, page: PageRequest): Promise<Page<Observation>> =>
  queryPage(page, { partitionKey: ['pk', taskKey(taskId).pk], sortKeyPrefix: ['sk', 'OBS#'], scope: `task-observations:${taskId}` });

export async function getObservation(taskId: string, id: string): Promise<Observation | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: observationKey(taskId, id), ConsistentRead: true }));
  return out.Item ? toResource<Observation>(out.Item) : undefined;
}
