import { generatedSites } from '../../../infra/local/gen-households.ts';
import { newId } from '../../../shared/domain/ids.ts';
import type { LocalStack } from './local-stack.ts';

/**
 * The displacement sites the generated households are placed at (`npm run gen:households
 * --with-sites`), stored in `table` as `POST /v1/sites` stores them.
 */
export async function registerSites(stack: LocalStack, table: string): Promise<void> {
  // The repositories read their configuration when first imported; the writes are sent to `table` whatever it names.
  if (!process.env.TABLE_NAME) Object.assign(process.env, stack.env(table));
  const { siteCreateWrites } = await import('../../../shared/db/repositories/sites.ts');
  const { SiteCreate } = await import('../../../shared/domain/site.ts');
  const now = new Date().toISOString();
  for (const { country, ...spec } of generatedSites('KH')) {
    const fields = SiteCreate.parse({ ...spec, managingOrganisation: 'DRC', openedAt: '2025-07-26' });
    const site = { ...fields, country, id: newId(), version: 1, createdAt: now, updatedAt: now, createdBy: 'bench' };
    await stack.transact(
      table,
      siteCreateWrites(site).map((w) => w.item),
    );
  }
}
