/** The banners above the form: the last failure (heading from its code), and a save conflict with its choices. */
import { html, nothing, type TemplateResult } from 'lit';
import type { ErrorCode } from '../../../src/protocol/destinationRules';
import { errorHeadings } from '../../../src/words/errorWords';
import type { EditorState, PropertyChange } from '../../../src/protocol/editorProtocol';

export function errorBanner(state: EditorState, dismiss: () => void): TemplateResult | typeof nothing {
  const error = state.error;
  if (!error || state.conflict) return nothing;
  const heading = errorHeadings[error.code as ErrorCode] ?? 'Error';
  return html`<div class="banner error" role="alert" data-code=${error.code}>
    <strong>${heading}</strong>
    <span class="message">${error.message}</span>
    <vscode-button secondary @click=${dismiss}>Dismiss</vscode-button>
  </div>`;
}

const shown = (change: PropertyChange, side: 'mine' | 'theirs'): string => {
  const value = change[side];
  if (value === undefined) return '(not set)';
  return change.secret ? '(secret)' : value;
};

export function conflictBanner(state: EditorState, choose: (choice: 'overwrite' | 'discard' | 'compare') => void): TemplateResult | typeof nothing {
  if (!state.conflict) return nothing;
  const name = state.savedName ?? state.properties.Name ?? '';
  return html`<div class="banner conflict" role="alert">
    <strong>Changed in the Destination service meanwhile</strong>
    <span class="message">Someone changed "${name}" after you opened it. Nothing was overwritten. These properties differ:</span>
    <table class="changes">
      <thead>
        <tr>
          <th scope="col">Property</th>
          <th scope="col">In the service now</th>
          <th scope="col">Yours</th>
        </tr>
      </thead>
      <tbody>
        ${state.conflict.changes.map(
          (change) =>
            html`<tr data-change=${change.name}>
              <td><code>${change.name}</code></td>
              <td>${shown(change, 'theirs')}</td>
              <td>${shown(change, 'mine')}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <div class="actions">
      <vscode-button id="conflict-overwrite" @click=${() => choose('overwrite')}>Save mine over theirs</vscode-button>
      <vscode-button id="conflict-discard" secondary @click=${() => choose('discard')}>Discard mine, load theirs</vscode-button>
      <vscode-button id="conflict-compare" secondary @click=${() => choose('compare')}>Compare…</vscode-button>
    </div>
  </div>`;
}
