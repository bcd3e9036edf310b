// Numbers and dates as people read them, in the browser's own language and time zone (Intl does the work).
// Everything here returns plain strings, for textContent.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const kilometres = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatDateTime(iso: string | null): string {
  if (iso === null) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatKilometres(meters: number): string {
  return `${kilometres.format(meters / 1000)} km`;
}

/** 3725 → "1:02:05", 1500 → "25:00". */
export function formatDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.floor(totalSeconds % 60);
  const mm = String(minutes).padStart(hours > 0 ? 2 : 1, '0');
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Minutes per kilometre: "5:12 /km". */
export function formatPace(meters: number, seconds: number): string {
  if (meters <= 0) return '—';
  return `${formatDuration(Math.round(seconds / (meters / 1000)))} /km`;
}

/** A Date as the value of `<input type="datetime-local">`: local time, minutes precision. */
export function toDateTimeLocalValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}
