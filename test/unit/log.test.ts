import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '#shared/log';

afterEach(() => vi.restoreAllMocks());

describe('the shared logger', () => {
  it('writes one JSON line through the console method of the entry\'s level', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    log({ level: 'ERROR', message: 'Unhandled error', routeKey: 'GET /x' });
    log({ level: 'INFO', message: 'Published', records: 3 });
    log({ level: 'WARN', message: 'Retrying' });
    expect(error.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual([{ level: 'ERROR', message: 'Unhandled error', routeKey: 'GET /x' }]);
    expect(info.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual([{ level: 'INFO', message: 'Published', records: 3 }]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('logs an entry it cannot serialise by its level and message instead of throwing', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => log({ level: 'ERROR', message: 'Broken', cyclic })).not.toThrow();
    expect(JSON.parse(error.mock.calls[0]![0] as string)).toMatchObject({ level: 'ERROR', message: 'Broken', logError: expect.stringContaining('circular') });
  });
});
