/**
 * The editor's state in the webview: the host's last `State`, with this side's edits applied on top until the
 * host acknowledges them (so a late echo never overwrites what the user is typing), plus view-only state kept
 * across the webview being recreated (which secret is being replaced, the half-typed new property).
 */
import { html, nothing, render, type TemplateResult } from 'lit';
import { isSecretProperty } from '../../src/protocol/destinationRules';
import {
  ChooseCertificate,
  Edit,
  Ready,
  ResolveConflict,
  Revert,
  Save,
  SecretAction,
  SetSecret,
  State,
  type EditorState,
} from '../../src/protocol/editorProtocol';
import { HostError, type HostChannel, type VsCodeApi } from './channel';
import { buildForm, type Draft, type SectionModel } from './model/formModel';
import { additionalTable, type NewRow, type TableActions } from './view/additionalTable';
import { conflictBanner, errorBanner } from './view/banners';
import { fieldTemplate, fieldId, issueList } from './view/fieldInputs';

interface ViewState {
  replacing: string[];
  newRow: NewRow;
  opened: string[];
}

interface PendingEdit {
  readonly seq: number;
  readonly set: Record<string, string>;
  readonly remove: string[];
}

export class EditorApp {
  private state: EditorState | undefined;
  private pending: PendingEdit[] = [];
  private seq = 0;
  private view: ViewState;
  private localError: EditorState['error'];

  constructor(
    private readonly channel: HostChannel,
    private readonly api: VsCodeApi,
    private readonly root: HTMLElement,
  ) {
    const saved = api.getState() as Partial<ViewState> | undefined;
    this.view = { replacing: saved?.replacing ?? [], newRow: saved?.newRow ?? { name: '', value: '' }, opened: saved?.opened ?? [] };
    channel.onNotification(State, (state) => this.receive(state));
  }

  start(): void {
    this.render();
    this.channel.notify(Ready, { version: 1 });
  }

  private receive(state: EditorState): void {
    this.state = state;
    this.pending = this.pending.filter((edit) => edit.seq > state.editSeq);
    this.localError = undefined;
    this.render();
  }

  /** The host's properties with the not yet acknowledged local edits replayed on top. */
  private draft(): Draft {
    const state = this.state;
    if (!state) return { properties: {}, secrets: {} };
    const fragment = state.entity === 'fragment' ? { fragment: true } : {};
    const properties: Record<string, string> = { ...state.properties };
    for (const edit of this.pending) {
      Object.assign(properties, edit.set);
      for (const name of edit.remove) delete properties[name];
    }
    return { properties, secrets: state.secrets, ...fragment };
  }

  private edit(set: Record<string, string>, remove: string[]): void {
    const edit = { seq: ++this.seq, set, remove };
    this.pending.push(edit);
    this.channel.notify(Edit, edit);
    this.render();
  }

  private saveView(): void {
    this.api.setState(this.view);
  }

  private async call(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      // The host puts failures in the state too; this covers a channel that failed before it could.
      if (error instanceof HostError && this.state) this.localError = error.wire;
      this.render();
    }
  }

  private readonly actions: TableActions = this.createActions();

  private createActions(): TableActions {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below run with `this` = the object
    const app = this;
    return {
      set: (name, value) => (value === undefined ? this.edit({}, [name]) : this.edit({ [name]: value }, [])),
      setSecret: (name, value) => this.channel.notify(SetSecret, { name, value }),
      secretAction: (name, action) => this.channel.notify(SecretAction, { name, action }),
      chooseCertificate: (name) =>
        void this.call(async () => {
          const chosen = await this.channel.request(ChooseCertificate, { property: name });
          if (chosen.name !== undefined) this.edit({ [name]: chosen.name }, []);
        }),
      replacing: (name) => this.view.replacing.includes(name),
      startReplacing: (name, on) => {
        this.view.replacing = on ? [...new Set([...this.view.replacing, name])] : this.view.replacing.filter((n) => n !== name);
        this.saveView();
        this.render();
        if (on) requestAnimationFrame(() => document.getElementById(fieldId(name))?.focus());
      },
      get certificates() {
        return app.state?.certificates ?? [];
      },
      get secretHome() {
        return app.state?.secretHome ?? 'the Destination service';
      },
      get newRow() {
        return app.view.newRow;
      },
      updateNewRow: (row) => {
        this.view.newRow = row;
        this.saveView();
        this.render();
      },
      addRow: () => {
        const name = this.view.newRow.name.trim();
        if (name === '') return;
        if (isSecretProperty(name)) this.channel.notify(SetSecret, { name, value: this.view.newRow.value });
        else this.edit({ [name]: this.view.newRow.value }, []);
        this.view.newRow = { name: '', value: '' };
        this.saveView();
        this.render();
        requestAnimationFrame(() => document.getElementById('new-property-name')?.focus());
      },
      renameRow: (from, to) => {
        if (to === '' || to === from) return;
        const value = this.draft().properties[from];
        if (value !== undefined) this.edit({ [to]: value }, [from]);
      },
    };
  }

  private section(section: SectionModel): TemplateResult {
    const fields = section.fields.map((field) => fieldTemplate(field, this.actions));
    if (!section.optional) {
      return html`<section class="fields" data-section=${section.id} aria-labelledby=${`title-${section.id}`}>
        <h2 id=${`title-${section.id}`}>${section.title}</h2>
        ${fields}
      </section>`;
    }
    const used = section.fields.some(
      (field) => field.value !== undefined || (field.secret !== undefined && field.secret !== 'empty') || field.issues.length > 0,
    );
    const open = used || this.view.opened.includes(section.id);
    const toggle = (event: Event): void => {
      const isOpen = (event.target as HTMLElement & { open: boolean }).open;
      this.view.opened = isOpen ? [...new Set([...this.view.opened, section.id])] : this.view.opened.filter((id) => id !== section.id);
      this.saveView();
    };
    return html`<vscode-collapsible data-section=${section.id} title=${section.title} ?open=${open} @vsc-collapsible-toggle=${toggle}>
      <div class="fields">${fields}</div></vscode-collapsible
    >`;
  }

  private template(): TemplateResult {
    const state = this.state;
    if (!state) return html`<p class="loading">Loading the destination…</p>`;
    const draft = this.draft();
    const form = buildForm(draft);
    const fragment = state.entity === 'fragment';
    const name = (fragment ? draft.properties.FragmentName : draft.properties.Name) ?? '';
    const title = state.mode === 'new' ? `New ${fragment ? 'fragment' : 'destination'}${name ? `: ${name}` : ''}` : name || state.savedName || '';
    const busy = state.busy !== undefined;
    const save = (): void => void this.call(() => this.channel.request(Save, {}));
    const revert = (): void => void this.call(() => this.channel.request(Revert, {}));
    const stateWithLocalError = this.localError ? { ...state, error: this.localError } : state;
    return html` <header>
        <div class="title">
          <h1>${title}</h1>
          <span class="where"
            >${state.connection} · ${state.level === 'subaccount' ? 'subaccount' : 'service instance'}
            ${fragment ? 'fragment: merged into a destination, its properties win' : 'destination'}</span
          >
          ${state.dirty ? html`<span class="dirty" title="Unsaved changes">● Unsaved changes</span>` : nothing}
        </div>
        <div class="toolbar">
          <span class="counts" aria-live="polite"
            >${form.errors > 0 ? `${form.errors} ${form.errors === 1 ? 'problem' : 'problems'} to fix` : 'Ready to save'}${form.warnings > 0 ? ` · ${form.warnings} ${form.warnings === 1 ? 'warning' : 'warnings'}` : ''}</span
          >
          <vscode-button id="save" ?disabled=${busy || form.errors > 0 || !state.dirty} @click=${save}
            >${state.busy === 'saving' ? 'Saving…' : 'Save'}</vscode-button
          >
          ${state.mode === 'edit' ? html`<vscode-button id="revert" secondary ?disabled=${busy || !state.dirty} @click=${revert}>Revert</vscode-button>` : nothing}
        </div>
      </header>
      ${conflictBanner(state, (choice) => void this.call(() => this.channel.request(ResolveConflict, { choice })))}
      ${errorBanner(stateWithLocalError, () => {
        this.localError = undefined;
        const { error: _dismissed, ...rest } = state;
        this.state = rest;
        this.render();
      })}
      ${issueList(form.general)}
      <form @submit=${(event: Event) => event.preventDefault()}>
        ${form.sections.map((section) => this.section(section))} ${additionalTable(form.additional, this.actions)}
      </form>`;
  }

  render(): void {
    render(this.template(), this.root);
  }
}

export function startEditor(channel: HostChannel, api: VsCodeApi, root: HTMLElement): EditorApp {
  const app = new EditorApp(channel, api, root);
  app.start();
  return app;
}
