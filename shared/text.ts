/** At most `max` UTF-16 units of `value`, never ending in half a character (a lone high surrogate). */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const head = value.slice(0, max);
  const last = head.charCodeAt(head.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head;
}
