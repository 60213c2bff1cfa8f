import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type Role = 'admin' | 'agent';

/** Who is calling: taken only from the verified token, never from the path or body. */
export interface Principal {
  tenantId: string;
  role: Role;
  /** The token's subject (the Cognito user). */
  userId: string;
}

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What a route implementation receives: parsed, authenticated, and nothing else. */
export interface ApiRequest {
  principal: Principal;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteImpl = (request: ApiRequest) => Promise<ApiResponse>;
