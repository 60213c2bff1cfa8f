import type { Api } from './api.ts';

/** What every view gets: the API, the agency (name, time zone) and navigation. */
export interface ViewProps {
  api: Api;
  agency: Agency;
  /** Goes to a route of the page (`/`, `/executions/<id>`, `/automations/<id>`, `/new?preset=<key>`). */
  navigate(route: string): void;
}

export interface Agency {
  tenantId: string;
  name?: string;
  timeZone: string;
}

/** The current route: the hash without `#`, `/` when empty. */
export function currentRoute(): { path: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(search ?? '') };
}
