/**
 * A searchable multi-select of UNHCR specific-needs codes: the chosen ones as removable chips,
 * and behind a disclosure a search box filtering checkboxes grouped by category (by code, or by
 * name in the chosen language or in English). Native controls only, so the keyboard and screen
 * readers work as everywhere else.
 */
import { useState } from 'preact/hooks';
import { useT } from '../../app/i18n.ts';
import { NEED_CATEGORIES, needCategory, SPECIFIC_NEED_CODES, SPECIFIC_NEEDS, type SpecificNeed } from '#shared/domain/specific-needs.ts';
import { householdMessages } from './messages.ts';
import { needMessages, type NeedKey } from './needs.ts';

export function NeedsPicker({
  id,
  value,
  error,
  onChange,
}: {
  id: string;
  value: SpecificNeed[];
  error: string | undefined;
  onChange: (v: SpecificNeed[]) => void;
}) {
  const t = useT(householdMessages);
  const tn = useT(needMessages);
  const [query, setQuery] = useState('');
  const name = (code: SpecificNeed) => tn(code as NeedKey);
  const q = query.trim().toLowerCase();
  const matches = (code: SpecificNeed) =>
    q === '' || code.toLowerCase().includes(q) || name(code).toLowerCase().includes(q) || SPECIFIC_NEEDS[code].toLowerCase().includes(q);
  const toggle = (code: SpecificNeed, on: boolean) => onChange(on ? [...value, code] : value.filter((c) => c !== code));
  const domId = id.replace(/\./g, '-');
  const shown = SPECIFIC_NEED_CODES.filter(matches);
  return (
    <div class={error ? 'field field-error hh-needs' : 'field hh-needs'} data-testid={`household-field-${id}`}>
      <span class="hh-label" id={`${domId}-label`}>
        {t('form.needs')}
      </span>
      {value.length > 0 && (
        <ul class="hh-chips" aria-labelledby={`${domId}-label`}>
          {value.map((code) => (
            <li key={code} class="hh-chip">
              <span>
                {code} {name(code)}
              </span>{' '}
              <button
                type="button"
                class="hh-chip-remove"
                aria-label={t('form.removeNeed', { name: `${code} ${name(code)}` })}
                onClick={() => toggle(code, false)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>
          {t('form.needs')} · {t('form.needsSelected', { count: value.length })}
        </summary>
        <label for={`${domId}-search`}>{t('form.needsSearch')}</label>
        <input
          id={`${domId}-search`}
          type="search"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          autoComplete="off"
          data-testid={`household-needs-search-${id}`}
        />
        {shown.length === 0 && <p role="status">{t('form.needsNone')}</p>}
        {NEED_CATEGORIES.map((cat) => {
          const codes = shown.filter((c) => needCategory(c) === cat);
          if (codes.length === 0) return null;
          return (
            <fieldset key={cat} class="hh-checks">
              <legend>
                {cat} · {tn(`cat.${cat}` as NeedKey)}
              </legend>
              {codes.map((code) => (
                <label key={code} class="hh-check">
                  <input
                    type="checkbox"
                    checked={value.includes(code)}
                    onChange={(e) => toggle(code, e.currentTarget.checked)}
                    data-testid={`household-need-${id}-${code}`}
                  />{' '}
                  {code} {name(code)}
                </label>
              ))}
            </fieldset>
          );
        })}
      </details>
      {error && (
        <p class="hh-error" id={`${domId}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
