/** Where a command's Destination service binding comes from, as its options and environment say. */
export type ConnectionChoice =
  { readonly from: 'key' } | { readonly from: 'environment' } | { readonly from: 'saved'; readonly name: string } | { readonly from: 'only-saved' };

/**
 * The one rule, for the CLI and for its entry's early connection (`earlyConnection.ts`, which must not load the CLI):
 * `--key`, else `--vcap`, else `--connection` or `$BTP_CONNECT_CONNECTION`, else VCAP_SERVICES / SERVICE_BINDING_ROOT
 * when set, else the only saved connection. Conflicting options are the caller's to refuse.
 */
export function connectionChoice(
  args: { readonly connection?: string; readonly key?: string; readonly vcap?: boolean },
  env: NodeJS.ProcessEnv,
): ConnectionChoice {
  if (args.key) return { from: 'key' };
  if (args.vcap) return { from: 'environment' };
  const name = args.connection ?? env.BTP_CONNECT_CONNECTION;
  if (name) return { from: 'saved', name };
  if (env.VCAP_SERVICES || env.VCAP_SERVICES_FILE_PATH || env.SERVICE_BINDING_ROOT) return { from: 'environment' };
  return { from: 'only-saved' };
}
