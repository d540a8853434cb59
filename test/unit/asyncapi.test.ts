import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import asyncApiDocument from '../../functions/meta/asyncapi.json' with { type: 'json' };
import { app as metaApp } from '../../functions/meta/app.ts';
import { buildAsyncApi, eventJsonSchemas } from '../../shared/events/asyncapi.ts';
import { EventType } from '../../shared/events/catalogue.ts';

describe('event catalogue documents', () => {
  it('is a valid AsyncAPI 3 document for @asyncapi/parser, with a channel and a message per event type', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(buildAsyncApi()));
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.id())
        .sort(),
    ).toEqual(Object.values(EventType).sort());
    expect(document!.messages().all()).toHaveLength(Object.values(EventType).length);
  });

  it('is what GET /asyncapi.json serves (run `npm run openapi` after changing the catalogue)', async () => {
    expect(asyncApiDocument, 'functions/meta/asyncapi.json is stale: run npm run openapi').toEqual(JSON.parse(JSON.stringify(buildAsyncApi())));
    const res = await metaApp.request('/asyncapi.json');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { asyncapi: string }).asyncapi).toBe('3.0.0');
  });

  it('derives each JSON Schema from the zod schema of its data, so it names what the data must hold', () => {
    const schemas = eventJsonSchemas();
    const found = schemas[EventType.OrdnanceFound] as {
      properties: { type: { const: string }; data: { required: string[]; properties: Record<string, unknown> } };
    };
    expect(found.properties.type.const).toBe('OrdnanceFound');
    expect(found.properties.data.required).toEqual(expect.arrayContaining(['taskId', 'hazardAreaId', 'progressId', 'finds']));
    const recorded = schemas[EventType.HazardAreaRecorded] as { properties: { data: { properties: Record<string, unknown> } } };
    expect(Object.keys(recorded.properties.data.properties)).toEqual(expect.arrayContaining(['areaSqm', 'classification', 'contested']));
  });

  it('has one versioned schema file per event type, as generated (functions/meta/events)', async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const dir = new URL('../../functions/meta/events/', import.meta.url);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(
      Object.values(EventType)
        .map((t) => `${t}.v1.schema.json`)
        .sort(),
    );
    const schemas = eventJsonSchemas();
    for (const type of Object.values(EventType))
      expect(JSON.parse(await readFile(new URL(`${type}.v1.schema.json`, dir), 'utf8')), `${type}: run npm run openapi`).toEqual(
        JSON.parse(JSON.stringify(schemas[type])),
      );
  });

  it('gives enums where the domain has them, and payloads open to new fields', () => {
    const schemas = eventJsonSchemas() as Record<
      string,
      {
        additionalProperties?: unknown;
        properties: { data: { additionalProperties?: unknown; properties: Record<string, { enum?: string[]; items?: { enum?: string[] } }> } };
      }
    >;
    expect(schemas[EventType.TaskStatusChanged]!.properties.data.properties['to']!.enum).toEqual(
      expect.arrayContaining(['PLANNED', 'IN_PROGRESS', 'COMPLETED']),
    );
    expect(schemas[EventType.HazardAreaRecorded]!.properties.data.properties['categories']!.items!.enum).toContain('AP_MINE');
    expect(JSON.stringify(schemas)).not.toContain('"additionalProperties":false');
  });

  it('describes the webhook transport: POST, its headers and the signature', () => {
    const doc = buildAsyncApi() as {
      servers: Record<string, { protocol: string; description: string }>;
      components: { schemas: { WebhookHeaders: { required: string[] } } };
    };
    expect(doc.servers['webhook']!.protocol).toBe('https');
    expect(doc.servers['webhook']!.description).toContain('HMAC-SHA256');
    expect(doc.components.schemas.WebhookHeaders.required).toEqual(expect.arrayContaining(['Clearway-Event-Id', 'Clearway-Signature']));
  });
});
