/** The reports' HTML tables. */
import { esc } from './escape.js';

/**
 * A table with a header row: `head` is text (escaped here), each cell of `rows` is HTML already. `className`, when
 * given, becomes the table's class.
 */
export function table(head: readonly string[], rows: readonly (readonly string[])[], className = ''): string {
  const cls = className ? ` class="${className}"` : '';
  return `<table${cls}><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}
