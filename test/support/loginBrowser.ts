import { request } from 'undici';
import type { Sandbox } from '../../src/sandbox/sandbox';

/**
 * A headless "browser" for the sandbox's sign-in page: plain HTTP, no redirects followed on its own. It opens the
 * authorization URL, submits the form and follows the 302 to wherever it points (the loopback listener).
 */

export interface Page {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export async function get(url: string): Promise<Page> {
  const response = await request(url, { method: 'GET' });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** POSTs the login form of `page` (taken from its action and hidden form id), relative to `authorizeUrl`. */
export async function submitLogin(authorizeUrl: string, page: Page, userName: string, password: string): Promise<Page> {
  const formId = /name="form_id" value="([^"]+)"/.exec(page.text)?.[1];
  if (!formId) throw new Error(`no login form on the page (${page.status}): ${page.text.slice(0, 200)}`);
  const response = await request(new URL('/oauth/authorize', authorizeUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ form_id: formId, username: userName, password }).toString(),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

export function location(page: Page): string {
  const value = page.headers.location;
  if (typeof value !== 'string') throw new Error(`expected a redirect, got ${page.status}: ${page.text.slice(0, 200)}`);
  return value;
}

export function password(sandbox: Sandbox, userName: string, subdomain = 'provider'): string {
  const tenant = sandbox.identity.world.tenantBySubdomain(subdomain);
  const user = tenant ? sandbox.identity.world.user(tenant.id, userName) : undefined;
  if (!user) throw new Error(`no sandbox user ${userName}`);
  return user.password;
}

export interface BrowserRun {
  /** The pages seen: sign-in form, (wrong password form), callback page. */
  readonly pages: Page[];
}

/**
 * What a user does in the browser: open the URL, optionally mistype the password once, sign in, land on the
 * loopback callback page.
 */
export async function signInInBrowser(sandbox: Sandbox, url: string, userName: string, options: { wrongPasswordFirst?: boolean } = {}): Promise<BrowserRun> {
  const pages: Page[] = [];
  let form = await get(url);
  pages.push(form);
  if (options.wrongPasswordFirst) {
    form = await submitLogin(url, form, userName, 'not-the-password');
    pages.push(form);
  }
  const submitted = await submitLogin(url, form, userName, password(sandbox, userName));
  pages.push(await get(location(submitted)));
  return { pages };
}
