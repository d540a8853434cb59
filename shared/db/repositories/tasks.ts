import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ProgressReport, Task, HistoryEntry } from '../../domain/task.ts';
import { documentClient, tableName } from '../client.ts';
import { statusPrefix } from '../keys/hazard-area.ts';
import { progressKey, taskCountryCopyKey, taskHistoryKey, taskKey, taskTeamCopyKey, tasksByCountry, tasksByProvince, tasksOfHazardArea, tasksOfTeam } from '../keys/task.ts';
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
      { ...taskKey(task.id), ...tasksOfHazardArea(task.hazardAreaId, task.status, task.id), ...tasksByProvince(task.province, task.status, task.id), entity: 'Task', ...task },
      expectedVersion,
      `task ${task.id}`,
    ),
    ...task.countries.map((country) => copyPut({ ...taskCountryCopyKey(task.id, country), ...tasksByCountry(country, task.status, task.id), entity: 'TaskCopy', ...task })),
    ...task.teamIds.map((teamId) => copyPut({ ...taskTeamCopyKey(task.id, teamId), ...tasksOfTeam(teamId, task.status, task.id), entity: 'TaskCopy', ...task })),
  ];
}

export const taskHistoryWrite = (taskId: string, entry: HistoryEntry): GuardedWrite => appendPut({ ...taskHistoryKey(taskId, entry.id), entity: 'TaskHistory', taskId, ...entry });

export const progressWrite = (report: ProgressReport): GuardedWrite => appendPut({ ...progressKey(report.taskId, report.id), entity: 'ProgressReport', ...report });

export async function getTask(id: string): Promise<Task | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: taskKey(id), ConsistentRead: true }));
  return out.Item ? toResource<Task>(out.Item) : undefined;
}

/** One progress report of a task. */
export async function getProgress(taskId: string, reportId: string): Promise<ProgressReport | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: progressKey(taskId, reportId), ConsistentRead: true }));
  return out.Item ? toResource<ProgressReport>(out.Item) : undefined;
}

export type TaskListing = { by: 'team'; teamId: string } | { by: 'country'; country: string } | { by: 'province'; province: string } | { by: 'hazardArea'; hazardAreaId: string };

/** One page of a task list, each a Query on one partition (status narrows the sort key). */
export function listTasks(listing: TaskListing, status: string | undefined, page: PageRequest): Promise<Page<Task>> {
  const prefix = statusPrefix(status);
  const scope = (s: string) => `tasks:${s}:status=${status ?? ''}`;
  switch (listing.by) {
    case 'team':
      return queryPage(page, { index: 'gsi1', partitionKey: ['gsi1pk', tasksOfTeam(listing.teamId, '', '').gsi1pk], sortKeyPrefix: ['gsi1sk', prefix], scope: scope(`team=${listing.teamId}`) });
    case 'hazardArea':
      return queryPage(page, { index: 'gsi1', partitionKey: ['gsi1pk', tasksOfHazardArea(listing.hazardAreaId, '', '').gsi1pk], sortKeyPrefix: ['gsi1sk', prefix], scope: scope(`hazard=${listing.hazardAreaId}`) });
    case 'country':
      return queryPage(page, { index: 'gsi2', partitionKey: ['gsi2pk', tasksByCountry(listing.country, '', '').gsi2pk], sortKeyPrefix: ['gsi2sk', prefix], scope: scope(`country=${listing.country}`) });
    case 'province':
      return queryPage(page, { index: 'gsi3', partitionKey: ['gsi3pk', tasksByProvince(listing.province, '', '').gsi3pk], sortKeyPrefix: ['gsi3sk', prefix], scope: scope(`province=${listing.province}`) });
  }
}

export const listTaskHistory = (id: string, page: PageRequest): Promise<Page<HistoryEntry>> =>
  queryPage(page, { partitionKey: ['pk', taskKey(id).pk], sortKeyPrefix: ['sk', 'HISTORY#'], scope: `task-history:${id}` });

export const listProgress = (id: string, page: PageRequest): Promise<Page<ProgressReport>> =>
  queryPage(page, { partitionKey: ['pk', taskKey(id).pk], sortKeyPrefix: ['sk', 'PROGRESS#'], scope: `task-progress:${id}` });
