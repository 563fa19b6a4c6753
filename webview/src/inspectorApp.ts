/**
 * The traffic inspector in the webview: rows as the host sends them (newest first), a filter, and the details of
 * the selected exchange fetched on demand. Everything shown is text: lit escapes it, nothing becomes markup.
 */
import { html, nothing, render, type TemplateResult } from 'lit';
import {
  Added,
  Cleared,
  ClearLog,
  CopyAsCurl,
  ExportHar,
  ForwardStopped,
  GetDetails,
  InspectorReady,
  matchesFilter,
  OpenAsHttp,
  SetBodies,
  Snapshot,
  type InspectorSnapshot,
  type TrafficEntry,
  type TrafficSummary,
} from '../../src/protocol/inspectorProtocol';
import { HostError, type HostChannel, type VsCodeApi } from './channel';

interface ViewState {
  filter: string;
  selected?: number | undefined;
}

type HeaderList = readonly (readonly [string, string])[];

export class InspectorApp {
  private snapshot: InspectorSnapshot | undefined;
  private rows: TrafficSummary[] = [];
  private details: TrafficEntry | undefined;
  private notice: string | undefined;
  private view: ViewState;

  constructor(
    private readonly channel: HostChannel,
    private readonly api: VsCodeApi,
    private readonly root: HTMLElement,
  ) {
    const saved = api.getState() as Partial<ViewState> | undefined;
    this.view = { filter: typeof saved?.filter === 'string' ? saved.filter : '', ...(typeof saved?.selected === 'number' ? { selected: saved.selected } : {}) };
    channel.onNotification(Snapshot, (snapshot) => {
      this.snapshot = snapshot;
      this.rows = [...snapshot.entries];
      this.trim();
      if (this.view.selected !== undefined) void this.select(this.view.selected);
      this.render();
    });
    channel.onNotification(Added, ({ entries }) => {
      this.rows.push(...entries);
      this.trim();
      this.render();
    });
    channel.onNotification(Cleared, () => {
      this.rows = [];
      this.details = undefined;
      this.view.selected = undefined;
      this.save();
      this.render();
    });
    channel.onNotification(ForwardStopped, () => {
      if (this.snapshot) this.snapshot = { ...this.snapshot, stopped: true };
      this.render();
    });
  }

  start(): void {
    this.render();
    this.channel.notify(InspectorReady, { version: 1 });
  }

  /** The host keeps `capacity` exchanges; so does the view, or it would show rows whose details are gone. */
  private trim(): void {
    const capacity = this.snapshot?.capacity ?? 500;
    if (this.rows.length > capacity) this.rows.splice(0, this.rows.length - capacity);
  }

  private shown(): TrafficSummary[] {
    return this.rows.filter((row) => matchesFilter(row, this.view.filter)).reverse();
  }

  private async select(id: number): Promise<void> {
    this.view.selected = id;
    this.save();
    this.render();
    try {
      this.details = await this.channel.request(GetDetails, { id });
    } catch (error) {
      this.details = undefined;
      this.notice = error instanceof HostError ? error.wire.message : String(error);
    }
    this.render();
  }

  private async run(action: () => Promise<unknown>, done?: string): Promise<void> {
    try {
      const result = (await action()) as Record<string, boolean>;
      this.notice = Object.values(result).every(Boolean) ? done : undefined;
    } catch (error) {
      this.notice = error instanceof HostError ? error.wire.message : String(error);
    }
    this.render();
  }

  private save(): void {
    this.api.setState(this.view);
  }

  private render(): void {
    render(this.template(), this.root);
  }

  private template(): TemplateResult {
    const snapshot = this.snapshot;
    if (!snapshot) return html`<p class="hint">Waiting for the forward…</p>`;
    const rows = this.shown();
    const all = snapshot.destination === '*';
    const ids = rows.map((row) => row.id).reverse();
    return html`
      <header>
        <div class="title">
          <h1>Traffic · ${all ? 'all destinations' : snapshot.destination}</h1>
          <span class="where">${snapshot.connection} · ${snapshot.localAddress}${snapshot.stopped ? ' · forward stopped' : ''}</span>
        </div>
        <div class="toolbar">
          <vscode-textfield
            class="filter"
            placeholder="Filter: path, GET, 4xx, 500, error"
            aria-label="Filter"
            .label=${'Filter'}
            .value=${this.view.filter}
            @input=${(event: Event) => {
              this.view.filter = (event.target as HTMLInputElement).value;
              this.save();
              this.render();
            }}
          ></vscode-textfield>
          <vscode-checkbox
            ?checked=${snapshot.bodies}
            @change=${(event: Event) => {
              const on = (event.target as HTMLInputElement).checked;
              // The line below the toolbar says "bodies …" only once the host records them.
              void this.run(async () => {
                const answer = await this.channel.request(SetBodies, { on });
                if (this.snapshot) this.snapshot = { ...this.snapshot, bodies: answer.on };
                return {};
              });
            }}
            >Record bodies</vscode-checkbox
          >
          <vscode-button secondary ?disabled=${ids.length === 0} @click=${() => void this.run(() => this.channel.request(OpenAsHttp, { ids }))}
            >Open as .http</vscode-button
          >
          <vscode-button secondary ?disabled=${ids.length === 0} @click=${() => void this.run(() => this.channel.request(ExportHar, { ids }), 'HAR saved.')}
            >Export HAR</vscode-button
          >
          <vscode-button secondary @click=${() => this.channel.notify(ClearLog, {})}>Clear</vscode-button>
        </div>
      </header>
      <p class="counts">
        ${rows.length === this.rows.length ? `${rows.length} exchanges` : `${rows.length} of ${this.rows.length} exchanges`} · keeps the last
        ${snapshot.capacity}; credentials, cookies and tokens are
        masked${snapshot.bodies ? '; bodies up to 64 KiB each' : ''}${this.notice ? html` · <span class="notice">${this.notice}</span>` : nothing}
      </p>
      <div class="layout">
        <table class="exchanges" aria-label="Exchanges">
          <thead>
            <tr>
              <th>Time</th>
              ${all ? html`<th>Destination</th>` : nothing}
              <th>Method</th>
              <th class="path">Path</th>
              <th>Status</th>
              <th class="number">ms</th>
              <th class="number">Size</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map((row) => this.row(row, all))}
          </tbody>
        </table>
        ${this.details && this.details.id === this.view.selected ? this.detailsTemplate(this.details) : rows.length === 0 ? html`<p class="hint empty">No requests yet: send one to ${snapshot.localAddress}.</p>` : nothing}
      </div>
    `;
  }

  private row(row: TrafficSummary, all: boolean): TemplateResult {
    const selected = row.id === this.view.selected;
    return html`<tr
      class="${statusClass(row)}${selected ? ' selected' : ''}"
      tabindex="0"
      aria-selected=${selected ? 'true' : 'false'}
      @click=${() => void this.select(row.id)}
      @keydown=${(event: KeyboardEvent) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          void this.select(row.id);
        }
      }}
    >
      <td>${new Date(row.startedAt).toLocaleTimeString()}</td>
      ${all ? html`<td>${row.destination}</td>` : nothing}
      <td>${row.method}</td>
      <td class="path" title=${row.path}>${row.path}</td>
      <td>${row.status}${row.error ? html` <span class="code">${row.error}</span>` : nothing}</td>
      <td class="number">${row.durationMs.toFixed(1)}</td>
      <td class="number">${size(row.bytesOut)}</td>
    </tr>`;
  }

  private detailsTemplate(entry: TrafficEntry): TemplateResult {
    return html`<section class="details" aria-label="Exchange details">
      <div class="details-head">
        <h2>${entry.method} ${entry.path} → ${entry.status}</h2>
        <vscode-button @click=${() => void this.run(() => this.channel.request(CopyAsCurl, { id: entry.id }), 'curl copied.')}>Copy as curl</vscode-button>
      </div>
      <dl>
        <dt>Destination</dt>
        <dd>${entry.destination}</dd>
        ${
          entry.upstreamUrl
            ? html`<dt>Upstream</dt>
                <dd>${entry.upstreamUrl}</dd>`
            : nothing
        }
        <dt>Duration</dt>
        <dd>${entry.durationMs.toFixed(1)} ms, ${size(entry.bytesIn)} in, ${size(entry.bytesOut)} out</dd>
        ${
          entry.error
            ? html`<dt>Error</dt>
                <dd class="code">${entry.error}</dd>`
            : nothing
        }
      </dl>
      ${headerTable('Request headers (from the client)', entry.requestHeaders)}
      ${entry.upstreamHeaders ? headerTable('Sent upstream (credentials injected, masked here)', entry.upstreamHeaders) : nothing}
      ${entry.responseHeaders ? headerTable('Response headers', entry.responseHeaders) : nothing} ${bodyTemplate('Request body', entry.requestBody)}
      ${bodyTemplate('Response body', entry.responseBody)}
    </section>`;
  }
}

function headerTable(title: string, headers: HeaderList): TemplateResult {
  return html`<h3>${title}</h3>
    <table class="headers">
      ${headers.map(
        ([name, value]) =>
          html`<tr>
            <th>${name}</th>
            <td>${value}</td>
          </tr>`,
      )}
    </table>`;
}

function bodyTemplate(title: string, body: TrafficEntry['requestBody']): TemplateResult | typeof nothing {
  if (!body) return nothing;
  const note = `${size(body.size)}${body.truncated ? ', cut off' : ''}${body.base64 !== undefined ? ', binary (base64)' : ''}`;
  return html`<h3>${title} <span class="hint">(${note})</span></h3>
    <pre>${body.text ?? body.base64}</pre>`;
}

function statusClass(row: TrafficSummary): string {
  if (row.error !== undefined || row.status >= 500) return 'failed';
  if (row.status >= 400) return 'refused';
  return 'ok';
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
