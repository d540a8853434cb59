import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every label the console shows is in English, Khmer and Thai: each messages object under
 * web/src (every `messages.ts`) has the same keys in the three languages, no empty text, the
 * same `{placeholders}`, and Khmer and Thai written in their own scripts.
 */
const root = new URL('../../web/src/', import.meta.url).pathname;
const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('messages.ts'))
  .map((f) => join(root, f))
  .sort();

type MessagesLike = Record<'en' | 'km' | 'th', Record<string, string>>;
const isMessages = (v: unknown): v is MessagesLike =>
  !!v &&
  typeof v === 'object' &&
  ['en', 'km', 'th'].every((l) => typeof (v as Record<string, unknown>)[l] === 'object' && (v as Record<string, unknown>)[l] !== null);
const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
const KHMER = /[\u1780-\u17FF]/;
const THAI = /[\u0E00-\u0E7F]/;

describe('web console messages', () => {
  it('finds the messages files (the shared labels at least)', () => {
    expect(files.map((f) => relative(root, f))).toContain(join('app', 'messages.ts'));
  });

  for (const file of files) {
    describe(relative(root, file), () => {
      it('has the same keys, non-empty, in English, Khmer and Thai, with the same placeholders', async () => {
        const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        const objects = Object.entries(mod).filter(([, v]) => isMessages(v)) as [string, MessagesLike][];
        expect(objects.length, 'exports at least one messages object').toBeGreaterThan(0);
        for (const [name, messages] of objects) {
          const keys = Object.keys(messages.en).sort();
          expect(keys.length, `${name} has labels`).toBeGreaterThan(0);
          for (const lang of ['km', 'th'] as const) {
            expect(Object.keys(messages[lang]).sort(), `${name}.${lang} has the keys of ${name}.en`).toEqual(keys);
          }
          for (const lang of ['en', 'km', 'th'] as const) {
            for (const key of keys) {
              const text = messages[lang][key];
              expect(typeof text === 'string' && text.trim().length > 0, `${name}.${lang}.${key} is not empty`).toBe(true);
              expect(placeholders(text!), `${name}.${lang}.${key} has the placeholders of English`).toEqual(placeholders(messages.en[key]!));
            }
          }
          expect(
            Object.values(messages.km).some((t) => KHMER.test(t)),
            `${name}.km is written in Khmer script`,
          ).toBe(true);
          expect(
            Object.values(messages.th).some((t) => THAI.test(t)),
            `${name}.th is written in Thai script`,
          ).toBe(true);
        }
      });
    });
  }
});
