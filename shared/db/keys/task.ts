/**
 * Key builders for tasks. Pure; unit-tested in `test/unit/keys.test.ts`.
 *
 * A task is one main item plus copies that place it in the lists a user reads: one per
 * country that may act on it (a joint task is in both countries' lists) and one per assigned
 * team (the deminer's view). All are written in the same transaction as every change.
 * List sort keys start with the status, so `?status=` is a `begins_with` on the same Query.
 */
const listSk = (status: string, id: string) => `STATUS#${status}#TASK#${id}`;

/** A task by id. pk = TASK#<id>, sk = TASK */
export const taskKey = (id: string) => ({ pk: `TASK#${id}`, sk: 'TASK' });

/** A hazard area's tasks (on the main item). gsi1pk = HAZARD#<hazardAreaId>#TASKS, gsi1sk = STATUS#<status>#TASK#<id> */
export const tasksOfHazardArea = (hazardAreaId: string, status: string, id: string) => ({ gsi1pk: `HAZARD#${hazardAreaId}#TASKS`, gsi1sk: listSk(status, id) });

/** Tasks of a province (on the main item). gsi3pk = TASKS#PROVINCE#<pcode>, gsi3sk = STATUS#<status>#TASK#<id> */
export const tasksByProvince = (province: string, status: string, id: string) => ({ gsi3pk: `TASKS#PROVINCE#${province}`, gsi3sk: listSk(status, id) });

/** The copy of a task in a country's list. pk = TASK#<id>, sk = COPY#COUNTRY#<country> */
export const taskCountryCopyKey = (id: string, country: string) => ({ pk: `TASK#${id}`, sk: `COPY#COUNTRY#${country}` });

/** Tasks by country and status (country copies). gsi2pk = TASKS#COUNTRY#<country>, gsi2sk = STATUS#<status>#TASK#<id> */
export const tasksByCountry = (country: string, status: string, id: string) => ({ gsi2pk: `TASKS#COUNTRY#${country}`, gsi2sk: listSk(status, id) });

/** The copy of a task in a team's list. pk = TASK#<id>, sk = COPY#TEAM#<teamId> */
export const taskTeamCopyKey = (id: string, teamId: string) => ({ pk: `TASK#${id}`, sk: `COPY#TEAM#${teamId}` });

/** A team's tasks, the deminer's view (team copies). gsi1pk = TEAM#<teamId>#TASKS, gsi1sk = STATUS#<status>#TASK#<id> */
export const tasksOfTeam = (teamId: string, status: string, id: string) => ({ gsi1pk: `TEAM#${teamId}#TASKS`, gsi1sk: listSk(status, id) });

/** Append-only history of a task. pk = TASK#<id>, sk = HISTORY#<entryId> */
export const taskHistoryKey = (id: string, entryId: string) => ({ pk: `TASK#${id}`, sk: `HISTORY#${entryId}` });

/** Append-only progress reports of a task. pk = TASK#<id>, sk = PROGRESS#<reportId> */
export const progressKey = (taskId: string, reportId: string) => ({ pk: `TASK#${taskId}`, sk: `PROGRESS#${reportId}` });

/** What became of a find since its report (QA review, later disposal): the report stays as filed. pk = TASK#<id>, sk = FIND#<findId> */
export const findStateKey = (taskId: string, findId: string) => ({ pk: `TASK#${taskId}`, sk: `FIND#${findId}` });

/** Append-only observations of a task by the ASEAN Observer Team. pk = TASK#<id>, sk = OBS#<observationId> */
export const observationKey = (taskId: string, observationId: string) => ({ pk: `TASK#${taskId}`, sk: `OBS#${observationId}` });
