/**
 * The page's only way to the API: JSON over fetch with the signed-in admin's token. Every failure
 * becomes an ApiError with the API's `code` and `fields`, which the page shows in German
 * (messages.ts) at the field they concern.
 */

export interface FieldProblem {
  path: string;
  code?: string;
  message: string;
  params?: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export class Api {
  constructor(
    private readonly token: string,
    private readonly base = '',
    /** Called when the API answers 401: the sign-in has expired. */
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  delete(path: string): Promise<void> {
    return this.call<void>('DELETE', path);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'network', 'The API could not be reached');
    }
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) {
      const error = json?.error;
      throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? json?.message ?? response.statusText, Array.isArray(error?.fields) ? error.fields : []);
    }
    return json as T;
  }
}
