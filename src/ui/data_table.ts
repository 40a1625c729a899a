/** The dashboard's tables: a caption, column headers with `scope`, and a scrolling frame on narrow windows. */
import { html } from "hono/html";
import type { Html } from "./ui_layout.ts";

/** A table. */
export interface DataTable<T> {
  /** Its class, for the style sheet and tests. */
  name: string;
  caption: string;
  columns: readonly string[];
  items: readonly T[];
  /** One `<tr>` per item. */
  row: (item: T) => Html;
}

/** `table` as HTML. */
export function dataTable<T>(table: DataTable<T>): Html {
  return html`
    <div class="scroll">
      <table class="${table.name}">
        <caption>${table.caption}</caption>
        <thead>
          <tr>${table.columns.map((column) => html`<th scope="col">${column}</th>`)}</tr>
        </thead>
        <tbody>${table.items.map(table.row)}</tbody>
      </table>
    </div>
  `;
}
