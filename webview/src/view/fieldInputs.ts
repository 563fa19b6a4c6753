/** One form field: label, input by kind, help, and the validator's problems right below it. */
import { html, nothing, type TemplateResult } from 'lit';
import type { ValidationIssue } from '../../../src/protocol/destinationRules';
import type { FieldModel } from '../model/formModel';

export interface FieldActions {
  /** A non-secret value changed (undefined: unset). */
  set(name: string, value: string | undefined): void;
  setSecret(name: string, value: string): void;
  secretAction(name: string, action: 'keep' | 'remove'): void;
  chooseCertificate(name: string): void;
  /** Whether the user opened "Replace" for this secret. */
  replacing(name: string): boolean;
  startReplacing(name: string, on: boolean): void;
  readonly certificates: readonly string[];
  readonly secretHome: string;
}

/** A DOM id for a property name (names contain dots and other characters ids should not). */
export const fieldId = (name: string): string => `field-${name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;

const valueOf = (event: Event): string => (event.target as HTMLInputElement).value;

export function issueList(issues: readonly ValidationIssue[], id?: string): TemplateResult | typeof nothing {
  if (issues.length === 0) return nothing;
  return html`<ul class="issues" id=${id ?? nothing}>
    ${issues.map((issue) => html`<li class=${issue.severity === 'warning' ? 'warning' : 'error'} data-problem=${issue.problem}>${issue.message}</li>`)}
  </ul>`;
}

function textInput(field: FieldModel, actions: FieldActions, describedBy: string): TemplateResult {
  const invalid = field.issues.some((issue) => issue.severity !== 'warning');
  return html`<vscode-textfield
    id=${fieldId(field.name)}
    data-property=${field.name}
    aria-describedby=${describedBy}
    .value=${field.value ?? ''}
    ?invalid=${invalid}
    inputmode=${field.input === 'integer' ? 'numeric' : nothing}
    placeholder=${field.input === 'url' ? 'https://…' : nothing}
    @input=${(event: Event) => actions.set(field.name, valueOf(event) === '' ? undefined : valueOf(event))}
  ></vscode-textfield>`;
}

function choiceInput(field: FieldModel, actions: FieldActions, values: readonly string[], describedBy: string): TemplateResult {
  const current = field.value ?? '';
  // A value outside the list (typed elsewhere) stays selectable, so opening the form never changes it.
  const options = current === '' || values.includes(current) ? values : [...values, current];
  return html`<vscode-single-select
    id=${fieldId(field.name)}
    data-property=${field.name}
    aria-describedby=${describedBy}
    ?invalid=${field.issues.some((issue) => issue.severity !== 'warning')}
    @change=${(event: Event) => actions.set(field.name, valueOf(event) === '' ? undefined : valueOf(event))}
  >
    ${field.required ? nothing : html`<vscode-option value="" ?selected=${current === ''}>(not set)</vscode-option>`}
    ${field.required && current === '' ? html`<vscode-option value="" selected disabled>Choose…</vscode-option>` : nothing}
    ${options.map((value) => html`<vscode-option value=${value} ?selected=${value === current}>${value}</vscode-option>`)}
  </vscode-single-select>`;
}

function secretInput(field: FieldModel, actions: FieldActions, describedBy: string): TemplateResult {
  const state = field.secret ?? 'empty';
  const typing = state === 'empty' || state === 'removed' || actions.replacing(field.name);
  const commit = (event: Event): void => {
    const value = valueOf(event);
    if (value === '') return;
    actions.setSecret(field.name, value);
    actions.startReplacing(field.name, false);
  };
  const status =
    state === 'stored'
      ? `Stored in ${actions.secretHome}`
      : state === 'replaced'
        ? 'New value, saved with the destination'
        : state === 'removed'
          ? 'Removed on save'
          : '';
  return html`<div class="secret" data-secret-state=${state}>
    ${
      typing
        ? html`<vscode-textfield
            type="password"
            id=${fieldId(field.name)}
            data-property=${field.name}
            aria-describedby=${describedBy}
            autocomplete="off"
            placeholder=${state === 'stored' ? 'New value' : 'Enter the value'}
            ?invalid=${field.issues.some((issue) => issue.severity !== 'warning')}
            @change=${commit}
          ></vscode-textfield>`
        : html`<span class="secret-status" id=${fieldId(field.name)} tabindex="0" data-property=${field.name}>${status}</span>`
    }
    ${state === 'stored' && !typing ? html`<vscode-button secondary @click=${() => actions.startReplacing(field.name, true)}>Replace</vscode-button>` : nothing}
    ${state === 'stored' && typing ? html`<vscode-button secondary @click=${() => actions.startReplacing(field.name, false)}>Cancel</vscode-button>` : nothing}
    ${state === 'replaced' ? html`<vscode-button secondary @click=${() => actions.secretAction(field.name, 'keep')}>Undo</vscode-button>` : nothing}
    ${(state === 'stored' || state === 'replaced') && !field.required ? html`<vscode-button secondary @click=${() => actions.secretAction(field.name, 'remove')}>Remove</vscode-button>` : nothing}
  </div>`;
}

function certificateInput(field: FieldModel, actions: FieldActions, describedBy: string): TemplateResult {
  const known = field.value === undefined || actions.certificates.includes(field.value);
  return html`<div class="with-button">
    ${textInput(field, actions, describedBy)}
    <vscode-button secondary @click=${() => actions.chooseCertificate(field.name)}>Choose or upload…</vscode-button>
    ${known ? nothing : html`<span class="hint">Not among the certificates uploaded at this level.</span>`}
  </div>`;
}

export function fieldTemplate(field: FieldModel, actions: FieldActions): TemplateResult {
  const helpId = `${fieldId(field.name)}-help`;
  const issuesId = `${fieldId(field.name)}-issues`;
  const describedBy = `${helpId} ${issuesId}`;
  let input: TemplateResult;
  if (field.input === 'secret') input = secretInput(field, actions, describedBy);
  else if (field.input === 'certificate') input = certificateInput(field, actions, describedBy);
  else if (field.input === 'enum') input = choiceInput(field, actions, field.values ?? [], describedBy);
  else if (field.input === 'boolean') input = choiceInput(field, actions, ['true', 'false'], describedBy);
  else input = textInput(field, actions, describedBy);
  return html`<div class="field" data-field=${field.name}>
    <vscode-label for=${fieldId(field.name)} ?required=${field.required}
      >${field.label}${field.label === field.name ? nothing : html` <code>${field.name}</code>`}</vscode-label
    >
    ${input} ${field.description ? html`<vscode-form-helper id=${helpId}>${field.description}</vscode-form-helper>` : nothing}
    ${issueList(field.issues, issuesId)}
  </div>`;
}
