/** `npm run data-map`: prints the README's "Data map" table from `shared/domain/data-map.ts`. */
import { dataMapMarkdown } from '../../shared/domain/data-map.ts';

process.stdout.write(`${dataMapMarkdown()}\n`);
