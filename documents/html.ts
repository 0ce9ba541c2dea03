// Escaping for HTML written by hand rather than by a template (Handlebars escapes its own
// {{values}}): the hosted pages around stored documents, plain-paragraph emails.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Inserts content at the top of a document's body (the whole document when it has none). */
export function insertAtBodyStart(html: string, content: string): string {
  const body = /<body[^>]*>/i.exec(html);
  if (!body) return content + html;
  const at = body.index + body[0].length;
  return `${html.slice(0, at)}\n${content}${html.slice(at)}`;
}
