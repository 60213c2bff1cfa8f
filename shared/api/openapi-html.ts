import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './openapi.ts';

/**
 * The OpenAPI document as a page for people (`/docs`): plain HTML rendered on the server from the
 * document, with its stylesheet beside it. No script and no CDN, so it works offline and under the
 * local server's content security policy (`script-src 'self'; style-src 'self'`).
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** The document's prose: backticks become code, blank lines paragraphs. */
const prose = (text: string | undefined) =>
  (text ?? '')
    .split(/\n\s*\n/)
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('');

const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);
const link = (name: string) => `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;

const CONSTRAINTS = ['format', 'minLength', 'maxLength', 'minimum', 'exclusiveMinimum', 'maximum', 'minItems', 'maxItems', 'pattern', 'default', 'const'] as const;

/** A schema's type in a few words: `string`, `array of Contact`, `"mr" | "ms"`, `one of …`. */
function typeOf(schema: JsonSchema): string {
  if (typeof schema.$ref === 'string') return link(refName(schema.$ref));
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(' | ');
  if (schema.type === 'array') return `array of ${typeOf((schema.items as JsonSchema) ?? {})}`;
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return union.map(typeOf).join(' <em>or</em> ');
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return escapeHtml(String(schema.type ?? 'any'));
}

function constraints(schema: JsonSchema): string {
  const shown = CONSTRAINTS.filter((key) => schema[key] !== undefined && !(key === 'maximum' && schema[key] === Number.MAX_SAFE_INTEGER));
  // zod's date-time and e-mail patterns are long and say no more than the format.
  const parts = shown.filter((key) => !(key === 'pattern' && schema.format)).map((key) => `${key} ${escapeHtml(JSON.stringify(schema[key]))}`);
  return parts.length ? ` <span class="constraints">${parts.join(', ')}</span>` : '';
}

/** Whether a schema has fields to list: an object, or alternatives of which one is. */
const hasFields = (s: JsonSchema) => Boolean(s.properties) || ((s.anyOf ?? s.oneOf) as JsonSchema[] | undefined)?.some((m) => m.properties) === true;

/** A schema as a nested list of its fields, down to `depth` levels; named schemas are links. */
export function schemaTree(schema: JsonSchema, depth = 4): string {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union && depth > 0 && union.some((s) => s.properties)) {
    return `<ol class="union">${union.map((s) => `<li>${s.properties ? schemaTree(s, depth - 1) : typeOf(s)}</li>`).join('')}</ol>`;
  }
  if (!properties || depth === 0) return `<span class="type">${typeOf(schema)}</span>${constraints(schema)}`;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows = Object.entries(properties).map(([name, property]) => {
    const items = property.items as JsonSchema | undefined;
    const objects = hasFields(property) ? property : items && hasFields(items) ? items : undefined;
    const nested = objects ? schemaTree(objects, depth - 1) : '';
    const description = typeof property.description === 'string' ? ` — ${prose(property.description).replace(/<\/?p>/g, '')}` : '';
    return `<li><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="required">required</span>' : ''} <span class="type">${typeOf(property)}</span>${constraints(property)}${description}${nested}</li>`;
  });
  const closed = schema.additionalProperties === false ? '<li class="closed">no other fields</li>' : '';
  return `<ul class="fields">${rows.join('')}${closed}</ul>`;
}

function operationHtml(method: string, path: string, op: OpenApiOperation, doc: OpenApiDocument): string {
  const params = (op.parameters ?? []).map((p) => `<li><code>${escapeHtml(p.name)}</code> <span class="in">${p.in}</span>${p.required ? ' <span class="required">required</span>' : ''} <span class="type">${typeOf(p.schema)}</span>${constraints(p.schema)}${p.description ? ` — ${escapeHtml(p.description)}` : ''}</li>`);
  const body = op.requestBody?.content['application/json'].schema;
  const responses = Object.entries(op.responses).map(([status, response]) => {
    const resolved = ('$ref' in response ? doc.components.responses[refName(response.$ref as string)] : response) as { description: string; content?: Record<string, { schema: JsonSchema }> };
    const schema = resolved.content?.['application/json']?.schema;
    return `<li><span class="status s${status[0]}">${status}</span> ${prose(resolved.description).replace(/<\/?p>/g, '')}${schema ? ` — ${typeOf(schema)}` : ''}</li>`;
  });
  return `<section class="operation" id="${escapeHtml(op.operationId)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> <span class="access ${op['x-access']}">${op['x-access']}</span></h3>
<p class="summary">${escapeHtml(String(op.summary ?? ''))}</p>${prose(op.description as string | undefined)}
${params.length ? `<h4>Parameters</h4><ul class="fields">${params.join('')}</ul>` : ''}
${body ? `<h4>Body${op.requestBody?.required ? '' : ' (optional)'}</h4>${schemaTree(body)}` : ''}
<h4>Responses</h4><ul class="responses">${responses.join('')}</ul>
</section>`;
}

/** The page: the API's description, a table of contents by tag, every operation, every named schema. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op, tag: String((op.tags as string[] | undefined)?.[0] ?? 'Other') })));
  const tags = [...new Set(operations.map((o) => o.tag))];
  const toc = tags
    .map((tag) => `<li>${escapeHtml(tag)}<ul>${operations.filter((o) => o.tag === tag).map((o) => `<li><a href="#${escapeHtml(o.op.operationId)}"><span class="method ${o.method}">${o.method.toUpperCase()}</span> ${escapeHtml(o.path)}</a></li>`).join('')}</ul></li>`)
    .join('');
  const sections = tags.map((tag) => `<h2>${escapeHtml(tag)}</h2>${operations.filter((o) => o.tag === tag).map((o) => operationHtml(o.method, o.path, o.op, doc)).join('')}`).join('');
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, schema]) => `<section class="schema" id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${prose(schema.description as string | undefined)}${schemaTree(schema)}</section>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</title><link rel="stylesheet" href="docs.css"></head>
<body><nav><h1>${escapeHtml(doc.info.title)}</h1><p>Version ${escapeHtml(doc.info.version)} · <a href="../openapi.json">openapi.json</a></p><ul class="toc">${toc}<li><a href="#schemas">Schemas</a></li></ul></nav>
<main>${prose(doc.info.description)}${sections}<h2 id="schemas">Schemas</h2>${schemas}</main></body></html>
`;
}

export const DOCS_CSS = `body{margin:0;display:flex;font:15px/1.5 system-ui,sans-serif;color:#1d2330}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:20rem;flex:none;padding:1rem;background:#f4f5f8;border-right:1px solid #dde}
nav h1{font-size:1.1rem;margin:0}nav ul{list-style:none;padding-left:.5rem}nav a{color:inherit;text-decoration:none;font-size:.85rem}
main{padding:1rem 2rem;max-width:70rem;overflow-wrap:anywhere}h2{border-bottom:2px solid #dde;margin-top:2.5rem}
.operation,.schema{border:1px solid #dde;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.method{display:inline-block;min-width:3.6rem;text-align:center;border-radius:4px;color:#fff;font-size:.75rem;font-weight:700;padding:0 .3rem;background:#555}
.get{background:#2a6fb0}.post{background:#23824a}.put{background:#a66a00}.patch{background:#7a4bb0}.delete{background:#b03030}
.access{font-size:.75rem;border:1px solid;border-radius:4px;padding:0 .3rem}.admin{color:#b03030}.member{color:#23824a}
.required{color:#b03030;font-size:.8rem}.type{color:#2a6fb0}.constraints,.in,.closed{color:#667;font-size:.85rem}
.status{font-weight:700}.s2{color:#23824a}.s4{color:#a66a00}.s5{color:#b03030}ul.fields{padding-left:1.2rem}code{font-size:.9em}
`;
