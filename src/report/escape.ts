/** Escaping for the reports' HTML: text in content and attributes, and code inside a `<script>` element. */

/** Text escaped for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Text that cannot end the <script> element it sits in. */
export function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
