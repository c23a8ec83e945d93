/** The one place that talks HTTP to the server. Every 4xx of this server is
 *  {"detail": "<one sentence naming the culprit>"}: that sentence becomes the ApiError's message,
 *  which is what the user sees. */

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function detailOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === 'string') return body.detail;
  } catch {
    /* not JSON: fall through */
  }
  return `${response.url} answered ${response.status} ${response.statusText}`;
}

/** fetch() that throws an ApiError carrying the server's sentence on any non-2xx answer. */
export async function fetchOk(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (!response.ok) throw new ApiError(response.status, await detailOf(response));
  return response;
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  return (await (await fetchOk(url, init)).json()) as T;
}

export function postJson<T>(url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return getJson<T>(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}
