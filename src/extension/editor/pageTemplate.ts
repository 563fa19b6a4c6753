/**
 * The editor page as text, apart from VS Code (so that its policy can be checked on its own): a strict CSP —
 * nothing inline, scripts only with this render's nonce, styles, fonts and images only from the extension.
 */
export interface PageInputs {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Fresh per render, ≥ 128 bits from the OS random source. */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly title: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `font-src ${cspSource}`, `img-src ${cspSource}`].join('; ');
}

export function editorPage(inputs: PageInputs): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(inputs.cspSource, inputs.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escape(inputs.styleUri)}">
<title>${escape(inputs.title)}</title>
</head>
<body>
<main id="app"></main>
<script nonce="${inputs.nonce}" src="${escape(inputs.scriptUri)}"></script>
</body>
</html>`;
}
