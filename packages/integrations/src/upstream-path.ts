/**
 * Path parameters become URL path segments, and URL resolution climbs on `.` and `..` (WHATWG URL also reads
 * `%2e` and `%2e%2e` as dots). A value that is not one literal segment could make a tool call another endpoint
 * than the one its URL was minted for, so such values are refused, and the final upstream path is checked
 * against the method's template before anything is sent. Both rules hold for every integration.
 */

/** Why a value cannot be one literal path segment, or undefined when it can. */
export function pathSegmentProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  if (value === "." || value === "..") return `cannot be "${value}"`;
  if (/[/\\]/.test(value)) return "cannot contain / or \\";
  // Encoded dots and separators: harmless once we encode them again, but an upstream that decodes twice
  // would climb, and no id of any API we serve contains them.
  if (/%(2e|2f|5c)/i.test(value)) return "cannot contain an encoded dot or separator (%2e, %2f, %5c)";
  if (hasControlCharacter(value)) return "cannot contain control characters";
  return undefined;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * True when `pathname` (the path of the URL about to be requested, below the base URL's own path) has
 * exactly the template's segments: literal segments equal, each {placeholder} one non-dot segment.
 */
export function pathFitsTemplate(template: string, pathname: string): boolean {
  const expected = template.split("/");
  const actual = pathname.split("/");
  if (expected.length !== actual.length) return false;
  return expected.every((segment, index) => {
    const got = actual[index] ?? "";
    if (!/^\{[^}]+\}$/.test(segment)) return got === segment;
    let decoded: string;
    try {
      decoded = decodeURIComponent(got);
    } catch {
      return false;
    }
    return pathSegmentProblem(decoded) === undefined;
  });
}
