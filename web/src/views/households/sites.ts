/** The open displacement sites of a country, for the registration form and the movement form. */
import { useEffect, useState } from 'preact/hooks';
import { request } from '../../app/api.ts';
import { useLang } from '../../app/i18n.ts';

export interface SiteOption {
  id: string;
  code: string;
  province: string;
  name: { en: string; km?: string; th?: string };
}

/** Open sites of `country` (up to 100 per page, every page); empty until loaded or when offline. */
export function useOpenSites(country: string): SiteOption[] {
  const [sites, setSites] = useState<SiteOption[]>([]);
  useEffect(() => {
    if (!country) return;
    let live = true;
    void (async () => {
      const found: SiteOption[] = [];
      let cursor: string | null = null;
      try {
        do {
          const res: { body: { items: SiteOption[]; next: string | null } } = await request(
            'GET',
            `/v1/sites?country=${country}&status=OPEN&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          found.push(...res.body.items);
          cursor = res.body.next;
        } while (cursor);
      } catch {
        // Offline or not allowed: the free-text site field stays.
      }
      if (live) setSites(found);
    })();
    return () => {
      live = false;
    };
  }, [country]);
  return sites;
}

/** A site's name in the chosen language (English when it has none in it), with its code. */
export function useSiteLabel(): (s: SiteOption) => string {
  const [lang] = useLang();
  return (s) => `${(lang === 'km' ? s.name.km : lang === 'th' ? s.name.th : undefined) ?? s.name.en} (${s.code})`;
}
