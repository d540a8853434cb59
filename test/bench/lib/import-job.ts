/**
 * An import job for a bench tool, as an upload would leave it: the table given the shipped
 * gazetteer edition first (the generated files' places carry its P-codes; `npm start` loads it
 * into a new table alike), then the job created and marked uploaded with the file's size. The
 * shared modules are imported here, after the caller has set the environment they read when loaded.
 */
export async function uploadedImportJob(file: string): Promise<{ id: string }> {
  const { stat } = await import('node:fs/promises');
  const { importJobWrite, newImportJob, markUploaded } = await import('../../../shared/db/repositories/household-imports.ts');
  const { transact } = await import('../../../shared/db/transact.ts');
  const { newId } = await import('../../../shared/domain/ids.ts');
  const { readGazetteerDir } = await import('../../../infra/local/gazetteer-files.ts');
  const { currentEdition, loadEdition } = await import('../../../shared/db/repositories/gazetteer.ts');
  if (!(await currentEdition())) {
    const shipped = await readGazetteerDir();
    await loadEdition(shipped.edition, shipped.countries, { sub: 'bench', role: 'admin', org: 'bench' });
  }
  const job = newImportJob(newId(), { sub: 'bench', role: 'relief', country: 'KH', org: 'BENCH' }, 'KH', new Date().toISOString());
  await transact([importJobWrite(job)]);
  await markUploaded(job.id, (await stat(file)).size, new Date().toISOString());
  return { id: job.id };
}
