// JSON API client and live events. The access token, if any, lives in an HttpOnly cookie the
// server set, so requests (and plain download links) need no extra headers.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.field = body?.field;
  }
}

export async function api(path, init) {
  const res = await fetch(`/api${path}`, { headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) }, ...init });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/** Query string from an object, skipping undefined/null/empty values; objects become JSON. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'object') {
      if (Object.keys(v).length === 0) continue;
      q.set(k, JSON.stringify(v));
    } else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Calls onEvent (debounced to at most once per `everyMs`) whenever stored events arrive. */
export function subscribe(q, onEvent, everyMs = 1500) {
  const live = document.getElementById('live');
  const source = new EventSource(`/api/events${q}`);
  let pending = null;
  let last = null;
  const fire = () => {
    pending = null;
    onEvent(last);
  };
  source.onopen = () => live?.classList.add('on');
  source.onerror = () => live?.classList.remove('on');
  const handler = (e) => {
    try {
      last = JSON.parse(e.data);
    } catch {
      return;
    }
    if (!pending) pending = setTimeout(fire, everyMs);
  };
  // Named SSE events do not reach onmessage: listen to the types the runner writes.
  for (const type of ['trial', 'step', 'progress', 'status', 'message', 'provenance', 'interrupted']) source.addEventListener(type, handler);
  return () => {
    if (pending) clearTimeout(pending);
    source.close();
    live?.classList.remove('on');
  };
}
