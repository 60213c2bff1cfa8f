import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

interface SesStore {
  saveEmail(email: { messageId?: string }): void;
  clearStore(): void;
  getStoreReadonly(): { emails: Array<{ messageId?: string }> };
}

let active: string | undefined;
let patched = false;

/**
 * Keeps the local SES inbox across restarts and crashes: aws-ses-v2-local holds the mail it took in
 * memory, so every mail it saves is also appended (synchronously, before SES answers the send) to
 * `file` as a JSON line, and a start puts the mail of `file` back into the inbox. `/clear-store`
 * empties the file too. The inbox is one per process (the package keeps a module-level store), so
 * one file at a time is written: the last stack started in the process.
 */
export function persistSesInbox(file: string, log?: (line: string) => void): { stop(): void } {
  const store = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as SesStore;
  if (!patched) {
    patched = true;
    const saveEmail = store.saveEmail;
    const clearStore = store.clearStore;
    // The package's modules call these through its exports object, so replacing them there takes effect.
    store.saveEmail = (email) => {
      if (active) {
        try {
          appendFileSync(active, `${JSON.stringify(email)}\n`);
        } catch (error) {
          log?.(`[ses] could not keep a sent mail in ${active}: ${String(error)}`);
        }
      }
      saveEmail(email);
    };
    store.clearStore = () => {
      if (active) writeFileSync(active, '');
      clearStore();
    };
  }
  mkdirSync(dirname(file), { recursive: true });
  const inbox = store.getStoreReadonly().emails;
  const known = new Set(inbox.map((m) => m.messageId));
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const email = JSON.parse(line) as { messageId?: string };
        if (known.has(email.messageId)) continue;
        known.add(email.messageId);
        inbox.push(email);
      } catch {
        // a line torn by a crash: SES never answered that send
      }
    }
  }
  active = file;
  return {
    stop() {
      if (active === file) active = undefined;
    },
  };
}
