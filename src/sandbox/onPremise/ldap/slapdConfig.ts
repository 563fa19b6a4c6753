import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { directoryReader, directorySuffix } from './tree';

/** Where OpenLDAP installs its schema files: Debian/Ubuntu, RHEL/SUSE/Alpine/Arch, then next to a Homebrew slapd. */
function schemaFolders(slapdPath: string): string[] {
  const prefix = dirname(dirname(slapdPath));
  return ['/etc/ldap/schema', '/etc/openldap/schema', join(prefix, 'etc', 'openldap', 'schema'), '/usr/local/etc/openldap/schema'];
}

/** Where distributions put slapd's loadable backends; a slapd built with back_mdb inside needs none. */
const moduleFolders = ['/usr/lib/ldap', '/usr/lib64/openldap', '/usr/lib/openldap', '/usr/libexec/openldap', '/usr/local/libexec/openldap'];

const schemas = ['core', 'cosine', 'inetorgperson'];

/**
 * `slapd.conf` for the sandbox's directory: one MDB database for the tree in `dataFolder`, nothing else. Access:
 * the reader reads everything but passwords, anyone may use a password to bind, nobody writes (no rootdn: the tree
 * is loaded offline with `slapadd`). Identities from SASL EXTERNAL on the local socket get nothing either.
 * Throws when OpenLDAP's schema files cannot be found.
 */
export function slapdConfig(slapdPath: string, dataFolder: string): string {
  const schemaFolder = schemaFolders(slapdPath).find((folder) => schemas.every((name) => existsSync(join(folder, `${name}.schema`))));
  if (!schemaFolder)
    throw new Error(`OpenLDAP's schema files (${schemas.map((name) => `${name}.schema`).join(', ')}) are in none of ${schemaFolders(slapdPath).join(', ')}`);
  const moduleFolder = moduleFolders.find((folder) => existsSync(join(folder, 'back_mdb.so')) || existsSync(join(folder, 'back_mdb.la')));
  return [
    '# Written by the BTP Connect sandbox at every start of its LDAP directory; edits do not last.',
    ...schemas.map((name) => `include ${quote(join(schemaFolder, `${name}.schema`))}`),
    ...(moduleFolder ? [`modulepath ${quote(moduleFolder)}`, 'moduleload back_mdb'] : []),
    'database mdb',
    `suffix ${quote(directorySuffix)}`,
    `directory ${quote(dataFolder)}`,
    'maxsize 10485760',
    'access to attrs=userPassword',
    '  by anonymous auth',
    '  by * none',
    'access to *',
    `  by dn.exact=${quote(directoryReader.dn)} read`,
    '  by * none',
    '',
  ].join('\n');
}

/** slapd.conf's quoting; the sandbox only hands it paths without quotes or backslashes (see `runtimeFolder`). */
function quote(value: string): string {
  return `"${value}"`;
}
