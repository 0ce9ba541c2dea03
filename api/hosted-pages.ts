// What the public pages outside /v1 share (a hosted invoice, a milestone's approval): escaping
// for the HTML they write, and the headers that keep a signed URL private.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The signature is in the URL: keep it out of caches, search engines and Referer headers. */
export const SIGNED_LINK_HEADERS = {
  'cache-control': 'private, no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
};
