/**
 * Cascading place pickers: district, then commune (tambon), then in Cambodia village, each listing
 * the children of the unit above from `GET /v1/places?parent=` in the user's language, with a
 * search box that matches names in any script. Part of the households view's chunk, which the
 * console loads only when that view opens (never in the task board's first load).
 */
import { useEffect, useState } from 'preact/hooks';
import { request } from '../../app/api.ts';
import { Field } from '../../app/components.tsx';
import { useLang, useT } from '../../app/i18n.ts';
import { householdMessages } from './messages.ts';
import { matchesPlace, pickLevels, unitLabel, type PlaceUnit } from './place-search.ts';

/** Lists already asked for in this page (the browser's cache keeps them an hour too: ETag, private max-age). */
const lists = new Map<string, Promise<PlaceUnit[]>>();

export function placesUnder(parent: string): Promise<PlaceUnit[]> {
  let found = lists.get(parent);
  if (!found) {
    found = request<{ items: PlaceUnit[] }>('GET', `/v1/places?parent=${encodeURIComponent(parent)}`).then(
      (r) => r.body.items,
      () => {
        lists.delete(parent);
        return [];
      },
    );
    lists.set(parent, found);
  }
  return found;
}

export type PlaceCodes = { adm2: string; adm3: string; adm4: string };

export function useChildren(parent: string): PlaceUnit[] {
  const [units, setUnits] = useState<PlaceUnit[]>([]);
  useEffect(() => {
    let live = true;
    setUnits([]);
    if (parent) void placesUnder(parent).then((u) => live && setUnits(u));
    return () => {
      live = false;
    };
  }, [parent]);
  return units;
}

const LABEL = { adm2: 'form.adm2', adm3: 'form.adm3', adm4: 'form.adm4' } as const;

function LevelPicker(props: {
  name: string;
  level: 'adm2' | 'adm3' | 'adm4';
  country: 'KH' | 'TH';
  parent: string;
  value: string;
  error: string | undefined;
  onChange: (code: string) => void;
}) {
  const t = useT(householdMessages);
  const [lang] = useLang();
  const [typed, setTyped] = useState('');
  const units = useChildren(props.parent);
  const shown = units.filter((u) => u.pcode === props.value || matchesPlace(u, typed));
  const label = props.level === 'adm3' && props.country === 'TH' ? t('form.tambon') : t(LABEL[props.level]);
  return (
    <div class="hh-place-level">
      <Field label={label} error={props.error}>
        <select
          value={props.value}
          disabled={!props.parent}
          onChange={(e) => props.onChange(e.currentTarget.value)}
          data-testid={`household-field-${props.name}.${props.level}`}
        >
          <option value="">{t('form.none')}</option>
          {shown.map((u) => (
            <option key={u.pcode} value={u.pcode}>
              {unitLabel(u, lang)}
            </option>
          ))}
        </select>
      </Field>
      {units.length > 8 && (
        <input
          type="search"
          class="hh-place-search"
          aria-label={`${t('form.searchPlace')}: ${label}`}
          placeholder={t('form.searchPlace')}
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
          data-testid={`household-search-${props.name}.${props.level}`}
        />
      )}
    </div>
  );
}

/** The coded levels below a chosen province; choosing a level clears the levels below it. */
export function PlacePicker(props: {
  name: string;
  country: 'KH' | 'TH' | '';
  province: string;
  value: PlaceCodes;
  errors: (path: string) => string | undefined;
  onChange: (codes: PlaceCodes) => void;
}) {
  if (!props.country || !props.province) return null;
  const levels = pickLevels(props.country);
  const parentOf = (level: 'adm2' | 'adm3' | 'adm4') => (level === 'adm2' ? props.province : level === 'adm3' ? props.value.adm2 : props.value.adm3);
  return (
    <div class="hh-place-picker">
      {levels.map((level) => (
        <LevelPicker
          key={level}
          name={props.name}
          level={level}
          country={props.country as 'KH' | 'TH'}
          parent={parentOf(level)}
          value={props.value[level]}
          error={props.errors(`${props.name}.${level}`)}
          onChange={(code) => {
            const next = { ...props.value, [level]: code };
            if (level === 'adm2') Object.assign(next, { adm3: '', adm4: '' });
            if (level === 'adm3') next.adm4 = '';
            props.onChange(next);
          }}
        />
      ))}
    </div>
  );
}
