/**
 * A self-contained API reference page rendered on the server from the OpenAPI document:
 * no script, no CDN, so it works on an offline laptop in a camp as well as on AWS.
 */
const escapeHtml = (s: unknown) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

type Doc = { info: { title: string; description?: string }; paths: Record<string, Record<string, Operation>> };
type Operation = {
  summary: string;
  description?: string;
  tags: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  'x-roles'?: string[];
  security?: unknown[];
};

export function renderDocs(doc: Doc): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${escapeHtml(p.name)}</code> <em>${escapeHtml(p.in)}${p.required ? ', required' : ''}</em>${p.description ? ` — ${escapeHtml(p.description)}` : ''}</li>`,
        )
        .join('');
      const body = op.requestBody
        ? Object.entries(op.requestBody.content)
            .map(([type, c]) => `<h4>Body (${escapeHtml(type)})</h4><pre>${escapeHtml(JSON.stringify(c.schema, null, 2))}</pre>`)
            .join('')
        : '';
      const responses = Object.entries(op.responses)
        .map(([status, r]) => `<li><strong>${escapeHtml(status)}</strong> ${escapeHtml(r.description)}</li>`)
        .join('');
      const access = op.security && op.security.length === 0 ? 'public' : `roles: ${(op['x-roles'] ?? []).join(', ')}`;
      const html = `<section class="op"><h3><span class="m ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary)}${op.description ? ` ${escapeHtml(op.description)}` : ''}</p><p class="access">${escapeHtml(access)}</p>
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ''}${body}<h4>Responses</h4><ul>${responses}</ul></section>`;
      const tag = op.tags[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2 id="${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${ops.join('')}`).join('');
  const toc = [...byTag.keys()].map((t) => `<a href="#${escapeHtml(t)}">${escapeHtml(t)}</a>`).join(' · ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)}</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
.op{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}.m{font-weight:700;padding:0 .4rem;border-radius:3px;color:#fff;background:#444}
.get{background:#1f6feb}.post{background:#1a7f37}.patch{background:#9a6700}.delete{background:#cf222e}pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:20rem}
.access{color:#555;font-size:.9em}</style></head><body><h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Every operation but these pages and <code>/health</code> needs <code>Authorization: Bearer &lt;jwt&gt;</code>.</p>
<nav>${toc}</nav>${sections}</body></html>`;
}
