import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '#shared/api/openapi';
import { synthStack } from '../support/synth.ts';

let routes: Array<{ RouteKey: string; AuthorizationType: string }>;
beforeAll(() => {
  const resources = synthStack().template().findResources('AWS::ApiGatewayV2::Route');
  routes = Object.values(resources).map((r) => (r as { Properties: { RouteKey: string; AuthorizationType: string } }).Properties);
}, 120_000);

describe('API Gateway and the OpenAPI document', () => {
  it('has exactly the routes the document describes, each behind the JWT authorizer the bearer scheme names', () => {
    const documented = Object.entries(openApiDocument().paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(documented.sort());
    expect(new Set(routes.map((r) => r.AuthorizationType))).toEqual(new Set(['JWT']));
  });
});
