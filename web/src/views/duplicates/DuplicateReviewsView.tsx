/**
 * The ministry's review queue of possible duplicate households without documents: each pair with
 * its score and reasons (no names: open the two households to compare them, which their access
 * logs record), decided SAME or DIFFERENT with the review's version, so a decision made meanwhile
 * elsewhere is never overwritten (the server answers 412 and the list is read again).
 */
import { useEffect, useState } from 'preact/hooks';
import { request } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner } from '../../app/components.tsx';
import { defineMessages, useT } from '../../app/i18n.ts';
import { useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';

interface Review {
  id: string;
  version: number;
  householdIds: string[];
  score: number;
  reasons: string[];
  source: 'REGISTRATION' | 'IMPORT';
  status: 'PENDING' | 'SAME' | 'DIFFERENT';
  createdAt: string;
}

const messages = defineMessages({
  en: {
    title: 'Possible duplicates',
    intro:
      'Households of your country that may be one family registered twice without documents: a member of the same name, born within a year, from the same commune or village. Open both to compare them; SAME marks both households and merges nothing.',
    status: 'Show',
    PENDING: 'To review',
    SAME: 'Same household',
    DIFFERENT: 'Different households',
    empty: 'Nothing to review.',
    pair: 'Households',
    score: 'Score',
    reasons: 'Why',
    found: 'Found at',
    decide: 'Decision',
    markSame: 'Same household',
    markDifferent: 'Different',
    more: 'More',
    country: 'Country',
    REGISTRATION: 'registration',
    IMPORT: 'import',
    SAME_NAME: 'same name',
    SAME_BIRTH_YEAR: 'same year of birth',
    BIRTH_YEAR_WITHIN_ONE: 'born a year apart',
    SAME_ORIGIN_VILLAGE: 'same village',
    SAME_ORIGIN_COMMUNE: 'same commune',
    SEVERAL_MEMBERS: 'several members',
  },
  km: {
    title: 'ការចុះឈ្មោះស្ទួនដែលអាចកើតមាន',
    intro:
      'គ្រួសារក្នុងប្រទេសរបស់អ្នកដែលអាចជាគ្រួសារតែមួយ ចុះឈ្មោះពីរដងដោយគ្មានឯកសារ៖ សមាជិកឈ្មោះដូចគ្នា កើតក្នុងរយៈពេលមួយឆ្នាំ មកពីឃុំ ឬភូមិដូចគ្នា។ បើកទាំងពីរដើម្បីប្រៀបធៀប។ «គ្រួសារតែមួយ» សម្គាល់គ្រួសារទាំងពីរ ហើយមិនបញ្ចូលគ្នាទេ។',
    status: 'បង្ហាញ',
    PENDING: 'ត្រូវពិនិត្យ',
    SAME: 'គ្រួសារតែមួយ',
    DIFFERENT: 'គ្រួសារផ្សេងគ្នា',
    empty: 'គ្មានអ្វីត្រូវពិនិត្យទេ។',
    pair: 'គ្រួសារ',
    score: 'ពិន្ទុ',
    reasons: 'ហេតុផល',
    found: 'រកឃើញនៅពេល',
    decide: 'ការសម្រេច',
    markSame: 'គ្រួសារតែមួយ',
    markDifferent: 'ផ្សេងគ្នា',
    more: 'បន្ថែមទៀត',
    country: 'ប្រទេស',
    REGISTRATION: 'ការចុះឈ្មោះ',
    IMPORT: 'ការនាំចូល',
    SAME_NAME: 'ឈ្មោះដូចគ្នា',
    SAME_BIRTH_YEAR: 'ឆ្នាំកំណើតដូចគ្នា',
    BIRTH_YEAR_WITHIN_ONE: 'កើតឃ្លាតគ្នាមួយឆ្នាំ',
    SAME_ORIGIN_VILLAGE: 'ភូមិដូចគ្នា',
    SAME_ORIGIN_COMMUNE: 'ឃុំដូចគ្នា',
    SEVERAL_MEMBERS: 'សមាជិកច្រើននាក់',
  },
  th: {
    title: 'ครัวเรือนที่อาจซ้ำกัน',
    intro:
      'ครัวเรือนในประเทศของคุณที่อาจเป็นครอบครัวเดียวกันซึ่งลงทะเบียนสองครั้งโดยไม่มีเอกสาร: สมาชิกชื่อเดียวกัน เกิดห่างกันไม่เกินหนึ่งปี มาจากตำบลหรือหมู่บ้านเดียวกัน เปิดทั้งสองเพื่อเปรียบเทียบ “ครัวเรือนเดียวกัน” จะทำเครื่องหมายทั้งสองครัวเรือนโดยไม่รวมข้อมูล',
    status: 'แสดง',
    PENDING: 'รอตรวจสอบ',
    SAME: 'ครัวเรือนเดียวกัน',
    DIFFERENT: 'ต่างครัวเรือน',
    empty: 'ไม่มีรายการให้ตรวจสอบ',
    pair: 'ครัวเรือน',
    score: 'คะแนน',
    reasons: 'เหตุผล',
    found: 'พบเมื่อ',
    decide: 'การตัดสิน',
    markSame: 'ครัวเรือนเดียวกัน',
    markDifferent: 'ต่างกัน',
    more: 'เพิ่มเติม',
    country: 'ประเทศ',
    REGISTRATION: 'การลงทะเบียน',
    IMPORT: 'การนำเข้า',
    SAME_NAME: 'ชื่อเดียวกัน',
    SAME_BIRTH_YEAR: 'ปีเกิดเดียวกัน',
    BIRTH_YEAR_WITHIN_ONE: 'เกิดห่างกันหนึ่งปี',
    SAME_ORIGIN_VILLAGE: 'หมู่บ้านเดียวกัน',
    SAME_ORIGIN_COMMUNE: 'ตำบลเดียวกัน',
    SEVERAL_MEMBERS: 'สมาชิกหลายคน',
  },
});
type Key = keyof (typeof messages)['en'];

export function DuplicateReviewsView(_props: ViewProps) {
  const t = useT(messages);
  const session = useSession();
  const [country, setCountry] = useState<string>(session?.country ?? 'KH');
  const [status, setStatus] = useState<Review['status']>('PENDING');
  const [items, setItems] = useState<Review[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [reload, setReload] = useState(0);

  const page = (cursor: string | null) => {
    const scope = session?.country ? '' : `&country=${country}`;
    return request<{ items: Review[]; next: string | null }>(
      'GET',
      `/v1/duplicate-reviews?status=${status}&limit=50${scope}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { fresh: true },
    );
  };

  useEffect(() => {
    let live = true;
    setItems(undefined);
    setError(undefined);
    page(null)
      .then((r) => live && (setItems(r.body.items), setNext(r.body.next)))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [country, status, reload]);

  const more = async () => {
    try {
      const r = await page(next);
      setItems([...(items ?? []), ...r.body.items]);
      setNext(r.body.next);
    } catch (e: unknown) {
      setError(e);
    }
  };

  const decide = async (review: Review, decision: 'SAME' | 'DIFFERENT') => {
    setError(undefined);
    try {
      await request('POST', `/v1/duplicate-reviews/${review.id}/decision`, { body: { decision }, ifMatch: review.version });
    } catch (e: unknown) {
      setError(e);
    }
    setReload(reload + 1);
  };

  return (
    <Page title={t('title')}>
      <p>{t('intro')}</p>
      <div class="hh-filters">
        {!session?.country && (
          <Field label={t('country')}>
            <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value)} data-testid="duplicates-country">
              <option value="KH">KH</option>
              <option value="TH">TH</option>
            </select>
          </Field>
        )}
        <Field label={t('status')}>
          <select value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as Review['status'])} data-testid="duplicates-status">
            {(['PENDING', 'SAME', 'DIFFERENT'] as const).map((s) => (
              <option key={s} value={s}>
                {t(s)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ProblemMessage error={error} />
      {!items && !error && <Spinner />}
      {items && items.length === 0 && <p data-testid="duplicates-empty">{t('empty')}</p>}
      {items && items.length > 0 && (
        <table class="ma-table" data-testid="duplicates-list">
          <thead>
            <tr>
              <th>{t('pair')}</th>
              <th>{t('score')}</th>
              <th>{t('reasons')}</th>
              <th>{t('found')}</th>
              {status === 'PENDING' && <th>{t('decide')}</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-testid="duplicate-row">
                <td>
                  {r.householdIds.map((id) => (
                    <div key={id}>
                      <a href={`#/households/${id}`}>{id}</a>
                    </div>
                  ))}
                </td>
                <td>{r.score.toFixed(2)}</td>
                <td>{r.reasons.map((reason) => t(reason as Key)).join(', ')}</td>
                <td>
                  {t(r.source)} <small>{r.createdAt.slice(0, 10)}</small>
                </td>
                {status === 'PENDING' && (
                  <td>
                    <button type="button" onClick={() => decide(r, 'SAME')} data-testid="duplicate-same">
                      {t('markSame')}
                    </button>{' '}
                    <button type="button" onClick={() => decide(r, 'DIFFERENT')} data-testid="duplicate-different">
                      {t('markDifferent')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={more}>
          {t('more')}
        </button>
      )}
    </Page>
  );
}
