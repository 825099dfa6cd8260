// JSON API client and live events. The access token, if any, lives in an HttpOnly cookie the
// server set, so requests need no extra headers.

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

/** Calls onEvent (debounced to at most once per `everyMs`) whenever stored events arrive. */
export function subscribe(query, onEvent, everyMs = 1500) {
  const live = document.getElementById('live');
  const source = new EventSource(`/api/events${query}`);
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
  for (const type of ['trial', 'step', 'progress', 'status', 'message']) source.addEventListener(type, handler);
  return () => {
    if (pending) clearTimeout(pending);
    source.close();
    live?.classList.remove('on');
  };
}
