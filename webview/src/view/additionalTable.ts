/** The additional-properties table: user-named families (`URL.headers.x`) and properties the form does not know. */
import { html, nothing, type TemplateResult } from 'lit';
import { isSecretProperty } from '../../../src/protocol/destinationRules';
import type { AdditionalRow } from '../model/formModel';
import { issueList, type FieldActions } from './fieldInputs';

export interface NewRow {
  name: string;
  value: string;
}

export interface TableActions extends FieldActions {
  readonly newRow: NewRow;
  updateNewRow(row: NewRow): void;
  addRow(): void;
  renameRow(from: string, to: string): void;
}

const valueOf = (event: Event): string => (event.target as HTMLInputElement).value;

// vscode-textfield names its inner <input> from its `label` property only (the host's aria-label stays on the host).
function rowTemplate(row: AdditionalRow, actions: TableActions): TemplateResult {
  const value = row.secret
    ? html`<span class="secret-status"
        >${row.secret === 'stored' ? `Stored in ${actions.secretHome}` : row.secret === 'replaced' ? 'New value, saved with the destination' : 'Removed on save'}</span
      >`
    : html`<vscode-textfield
        aria-label=${`Value of ${row.name}`}
        .label=${`Value of ${row.name}`}
        data-property=${row.name}
        .value=${row.value ?? ''}
        @input=${(event: Event) => actions.set(row.name, valueOf(event))}
      ></vscode-textfield>`;
  return html`<tr data-row=${row.name}>
    <td>
      <vscode-textfield
        aria-label="Property name"
        .label=${'Property name'}
        .value=${row.name}
        @change=${(event: Event) => actions.renameRow(row.name, valueOf(event).trim())}
      ></vscode-textfield>
    </td>
    <td>${value}${issueList(row.issues)}</td>
    <td>
      <vscode-button
        secondary
        aria-label=${`Remove ${row.name}`}
        @click=${() => (row.secret ? actions.secretAction(row.name, 'remove') : actions.set(row.name, undefined))}
        >Remove</vscode-button
      >
    </td>
  </tr>`;
}

export function additionalTable(rows: readonly AdditionalRow[], actions: TableActions): TemplateResult {
  const { newRow } = actions;
  const secret = newRow.name !== '' && isSecretProperty(newRow.name);
  const addOnEnter = (event: KeyboardEvent): void => {
    if (event.key === 'Enter') actions.addRow();
  };
  return html`<section class="additional" aria-labelledby="additional-title">
    <h2 id="additional-title">Additional properties</h2>
    <p class="help">
      Headers and query parameters for every request (<code>URL.headers.&lt;name&gt;</code>, <code>URL.queries.&lt;name&gt;</code>), and properties for your own
      application. Names are case-sensitive.
    </p>
    <table>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Value</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((row) => rowTemplate(row, actions))}
        <tr class="new-row">
          <td>
            <vscode-textfield
              id="new-property-name"
              aria-label="New property name"
              .label=${'New property name'}
              placeholder="URL.headers.x-my-header"
              .value=${newRow.name}
              @input=${(event: Event) => actions.updateNewRow({ ...newRow, name: valueOf(event) })}
              @keydown=${addOnEnter}
            ></vscode-textfield>
          </td>
          <td>
            <vscode-textfield
              id="new-property-value"
              aria-label="New property value"
              .label=${'New property value'}
              type=${secret ? 'password' : 'text'}
              .value=${newRow.value}
              @input=${(event: Event) => actions.updateNewRow({ ...newRow, value: valueOf(event) })}
              @keydown=${addOnEnter}
            ></vscode-textfield>
            ${secret ? html`<span class="hint">A secret: kept out of the form once added.</span>` : nothing}
          </td>
          <td><vscode-button id="add-property" ?disabled=${newRow.name.trim() === ''} @click=${() => actions.addRow()}>Add</vscode-button></td>
        </tr>
      </tbody>
    </table>
  </section>`;
}
