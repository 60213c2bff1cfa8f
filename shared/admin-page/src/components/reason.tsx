import { useEffect, useState } from 'preact/hooks';
import { reasonInGerman } from '../words.ts';

/**
 * A skip or failure reason of the engine, in German. The engine writes English (it names the
 * record: "The contact Erika Musterfrau (01J…) has no e-mail address"); known reasons are shown in
 * German with the original beside it, unknown ones as they are, so nothing is ever hidden.
 */
export function Reason({ text, timeZone, original = true }: { text: string; timeZone: string; original?: boolean }) {
  const german = reasonInGerman(text, timeZone);
  if (!german) return <span lang="en">{text}</span>;
  return (
    <>
      <span>{german}</span>
      {original && (
        <span class="original">
          {' '}(Meldung des Systems: <span lang="en">{text}</span>)
        </span>
      )}
    </>
  );
}

/** Re-renders every minute, so "vor 3 Minuten" stays true while the page is open. */
export function useMinuteTick(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
  return tick;
}
