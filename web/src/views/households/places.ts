/**
 * Border provinces by P-code with their names in the three languages, for the selects of the
 * household form, the list filters and the dashboard's province selector. The codes and the
 * countries come from shared/domain/provinces.ts; only the names are translated here.
 */
import { defineMessages } from '../../app/i18n.ts';
import { PROVINCES, type Province } from '#shared/domain/provinces.ts';

export const provinceMessages = defineMessages({
  en: {
    KH01: 'Banteay Meanchey',
    KH02: 'Battambang',
    KH09: 'Koh Kong',
    KH13: 'Preah Vihear',
    KH15: 'Pursat',
    KH17: 'Siem Reap',
    KH22: 'Oddar Meanchey',
    KH24: 'Pailin',
    TH22: 'Chanthaburi',
    TH23: 'Trat',
    TH27: 'Sa Kaeo',
    TH31: 'Buri Ram',
    TH32: 'Surin',
    TH33: 'Si Sa Ket',
    TH34: 'Ubon Ratchathani',
  },
  km: {
    KH01: 'បន្ទាយមានជ័យ',
    KH02: 'បាត់ដំបង',
    KH09: 'កោះកុង',
    KH13: 'ព្រះវិហារ',
    KH15: 'ពោធិ៍សាត់',
    KH17: 'សៀមរាប',
    KH22: 'ឧត្តរមានជ័យ',
    KH24: 'ប៉ៃលិន',
    TH22: 'ចន្ទបុរី',
    TH23: 'ត្រាត',
    TH27: 'ស្រះកែវ',
    TH31: 'បុរីរម្យ',
    TH32: 'សុរិន្ទ',
    TH33: 'ស៊ីសាកេត',
    TH34: 'អ៊ុបុនរាជធានី',
  },
  th: {
    KH01: 'บันทายมีชัย',
    KH02: 'พระตะบอง',
    KH09: 'เกาะกง',
    KH13: 'พระวิหาร',
    KH15: 'โพธิสัตว์',
    KH17: 'เสียมราฐ',
    KH22: 'อุดรมีชัย',
    KH24: 'ไพลิน',
    TH22: 'จันทบุรี',
    TH23: 'ตราด',
    TH27: 'สระแก้ว',
    TH31: 'บุรีรัมย์',
    TH32: 'สุรินทร์',
    TH33: 'ศรีสะเกษ',
    TH34: 'อุบลราชธานี',
  },
});

export type ProvinceCode = keyof (typeof provinceMessages)['en'];

/** The provinces of a country (all when none is given). */
export const provincesOf = (country: 'KH' | 'TH' | '' | undefined): readonly Province[] =>
  country ? PROVINCES.filter((p) => p.country === country) : PROVINCES;

/** True for a P-code this console has a name for. */
export const isProvinceCode = (code: string): code is ProvinceCode => code in provinceMessages.en;
