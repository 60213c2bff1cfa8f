import { describe, expect, it } from 'vitest';
import { byVersion, versionSnapshots } from '#infra/local/openapi-files';
import { breakingChanges } from '#shared/api/openapi-breaking';
import { API_VERSION, openApiDocument, type OpenApiDocument } from '#shared/api/openapi';

const major = (version: string) => Number(version.split('.')[0]);
const current = openApiDocument();

describe('versions of the OpenAPI document', () => {
  it('has the frozen snapshot of its version, and equals it: a changed document needs a new version', () => {
    const snapshot = versionSnapshots().find((s) => s.version === API_VERSION);
    expect(snapshot, `no snapshot of ${API_VERSION}: run npm run openapi`).toBeDefined();
    expect(current, `the document differs from the snapshot of ${API_VERSION}: move API_VERSION (README, "Versioning") and run npm run openapi`).toEqual(snapshot!.document);
  });

  it('moves the major version whenever a version breaks the one before it', () => {
    const versions = [...versionSnapshots().filter((s) => s.version !== API_VERSION), { version: API_VERSION, document: current }];
    versions.sort((a, b) => byVersion(a.version, b.version));
    for (const [i, next] of versions.entries()) {
      const previous = versions[i - 1];
      if (!previous) continue;
      expect(byVersion(next.version, previous.version)).toBeGreaterThan(0);
      const breaks = breakingChanges(previous.document, next.document);
      if (major(next.version) === major(previous.version)) expect(breaks, `${previous.version} -> ${next.version} breaks clients without a major version`).toEqual([]);
    }
  });
});

describe('breaking changes', () => {
  const changed = (change: (doc: any) => void): OpenApiDocument => {
    const next = structuredClone(current) as any;
    change(next);
    return next;
  };

  it('finds none between a document and itself', () => {
    expect(breakingChanges(current, current)).toEqual([]);
  });

  it('finds a removed operation, a removed or optional answer field and a new enum value in answers', () => {
    expect(breakingChanges(current, changed((d) => delete d.paths['/tasks'].get))).toEqual(['GET /tasks: the operation was removed']);
    expect(breakingChanges(current, changed((d) => delete d.components.schemas.Task.properties.title))).toContain('GET /tasks/{id} 200.title: the field was removed');
    expect(breakingChanges(current, changed((d) => (d.components.schemas.Task.required = d.components.schemas.Task.required.filter((f: string) => f !== 'title'))))).toContain('GET /tasks/{id} 200.title: the field may be absent now');
    expect(breakingChanges(current, changed((d) => d.components.schemas.Execution.properties.status.enum.push('paused')))).toContain('GET /executions/{id} 200.status: new values in answers: "paused"');
  });

  it('finds a narrowed request field, a new required one, a removed accepted value and a removed query parameter', () => {
    expect(breakingChanges(current, changed((d) => (d.components.schemas.TaskInput.properties.title.maxLength = 100)))).toEqual(['POST /tasks body.title: maxLength lowered to 100']);
    expect(breakingChanges(current, changed((d) => d.components.schemas.TaskInput.required.push('dueAt')))).toEqual(['POST /tasks body.dueAt: the field became required']);
    expect(breakingChanges(current, changed((d) => (d.components.schemas.UserInput.properties.role.enum = ['agent'])))).toEqual(['POST /users body.role: values no longer accepted: "admin"']);
    expect(breakingChanges(current, changed((d) => d.paths['/tasks'].get.parameters.pop()))).toEqual(['GET /tasks query state: the parameter was removed (sending it is refused)']);
  });

  it('lets a new optional field, a new operation and a wider request field pass', () => {
    const additive = changed((d) => {
      d.components.schemas.TaskInput.properties.priority = { type: 'string' };
      d.components.schemas.Task.properties.priority = { type: 'string' };
      d.components.schemas.TaskInput.properties.title.maxLength = 1_000;
      d.paths['/tasks/{id}'].delete = structuredClone(d.paths['/tasks/{id}'].get);
    });
    expect(breakingChanges(current, additive)).toEqual([]);
  });
});
