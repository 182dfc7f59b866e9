// Times in the hub's time zone, with the offset shown ("2026-03-15 10:20:05 UTC−04:00"), so an
// operator in another zone, or reading a screenshot later, knows which moment is meant.

let zone = 'UTC';
let dateTime = null;
let offsetFmt = null;

export function setZone(tz) {
  zone = tz;
  dateTime = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  offsetFmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
}

export const hubZone = () => zone;

/** "UTC−04:00" for a moment in the hub's zone. */
export function offsetOf(d) {
  const name = offsetFmt.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return name === 'GMT' ? 'UTC+00:00' : name.replace('GMT', 'UTC').replace('-', '−');
}

/** "2026-03-15 10:20:05 UTC−04:00"; "—" for none. */
export function formatTime(iso, { offset = true } = {}) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = Object.fromEntries(dateTime.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${offset ? ` ${offsetOf(d)}` : ''}`;
}

/** "10:00" in the hub's zone, for chart axes. */
export function formatHour(iso) {
  const p = Object.fromEntries(dateTime.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute}`;
}

/** "3 min ago", "in 4 s", "2 d ago". */
export function relative(iso, now = Date.now()) {
  if (!iso) return '';
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const a = Math.abs(s);
  const v = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 172800 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return s < 0 ? `${v} ago` : `in ${v}`;
}

/** 26 h, 3 d 2 h, 45 min, 1.2 s. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d ? `${d} d` : '', h ? `${h} h` : '', m && !d ? `${m} min` : ''].filter(Boolean).join(' ') || '0 min';
}
