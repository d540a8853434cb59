/**
 * The console's languages: English, Khmer and Thai. Every label, message and error shown goes
 * through `useT` with a `Messages` object holding all three; the choice is remembered in
 * localStorage and mirrored on `<html lang>`.
 */
import { useEffect, useState } from 'preact/hooks';

export type Lang = 'en' | 'km' | 'th';
export type Messages<K extends string> = Record<Lang, Record<K, string>>;

/**
 * Declares a view's messages: English defines the keys, and Khmer and Thai must have exactly
 * the same ones (a missing or extra key is a type error).
 */
export function defineMessages<K extends string>(messages: {
  en: Record<K, string>;
  km: Record<NoInfer<K>, string>;
  th: Record<NoInfer<K>, string>;
}): Messages<K> {
  return messages;
}

export const LANGS: readonly Lang[] = ['en', 'km', 'th'];
/** Each language's name in itself, for the switcher. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', km: 'ខ្មែរ', th: 'ไทย' };

const STORAGE_KEY = 'clearway.lang';
const listeners = new Set<(lang: Lang) => void>();

const isLang = (v: unknown): v is Lang => v === 'en' || v === 'km' || v === 'th';

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLang(stored)) return stored;
  } catch {
    // storage may be unavailable (private mode); fall through to the browser's preference
  }
  const nav = typeof navigator === 'undefined' ? 'en' : navigator.language.slice(0, 2);
  return isLang(nav) ? nav : 'en';
}

let current: Lang = initialLang();
if (typeof document !== 'undefined') document.documentElement.lang = current;

/** The language now in use, outside components (e.g. the API client's Accept-Language). */
export const currentLang = (): Lang => current;

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, but still switched
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  for (const l of listeners) l(lang);
}

/** Replaces `{name}` placeholders; an unknown placeholder stays as written. */
export function format(text: string, params?: Record<string, string | number>): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Translates with the current language; the English text stands in for a missing key. */
export function translate<K extends string>(messages: Messages<K>, lang: Lang, key: K, params?: Record<string, string | number>): string {
  return format(messages[lang][key] ?? messages.en[key] ?? key, params);
}

export function useLang(): [Lang, (lang: Lang) => void] {
  const [lang, set] = useState<Lang>(current);
  useEffect(() => {
    listeners.add(set);
    if (current !== lang) set(current);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return [lang, setLang];
}

export function useT<K extends string>(messages: Messages<K>): (key: K, params?: Record<string, string | number>) => string {
  const [lang] = useLang();
  return (key, params) => translate(messages, lang, key, params);
}
