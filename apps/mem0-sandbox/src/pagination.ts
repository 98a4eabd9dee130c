import type { FastifyRequest } from "fastify";

/** A DRF PageNumberPagination page, or the 404 DRF gives for a page out of range. */
export type PageResult<T> =
  | { ok: true; body: { count: number; next: string | null; previous: string | null; results: T[] } }
  | { ok: false };

/** The request's absolute URL with `page` (and nothing else) changed; page 1 drops the parameter, as DRF does. */
function pageUrl(request: FastifyRequest, page: number): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  if (page <= 1) url.searchParams.delete("page");
  else url.searchParams.set("page", String(page));
  return url.toString();
}

function firstQueryValue(request: FastifyRequest, name: string): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.[name];
  if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
  return value === undefined ? undefined : String(value);
}

/**
 * Pages `items` with `page` and `page_size` read from the query string only (api.md §1.4, issue #6227).
 * A bad or out-of-range page is a 404; a bad page_size falls back to the default and a large one is capped.
 * `sizeParameter` names the page size where an endpoint calls it otherwise (`limit` on /v1/memories/events/).
 */
export function paginate<T>(
  request: FastifyRequest,
  items: T[],
  defaultSize: number,
  maxSize: number,
  sizeParameter = "page_size",
): PageResult<T> {
  const rawPage = firstQueryValue(request, "page");
  const rawSize = firstQueryValue(request, sizeParameter);
  const page = rawPage === undefined ? 1 : Number(rawPage);
  if (!Number.isInteger(page) || page < 1) return { ok: false };
  let size = rawSize === undefined ? defaultSize : Number(rawSize);
  if (!Number.isInteger(size) || size < 1) size = defaultSize;
  size = Math.min(size, maxSize);
  const pages = Math.max(1, Math.ceil(items.length / size));
  if (page > pages) return { ok: false };
  const results = items.slice((page - 1) * size, page * size);
  return {
    ok: true,
    body: {
      count: items.length,
      next: page < pages ? pageUrl(request, page + 1) : null,
      previous: page > 1 ? pageUrl(request, page - 1) : null,
      results,
    },
  };
}

/** DRF's body for a page that does not exist. */
export const INVALID_PAGE = { detail: "Invalid page." } as const;
