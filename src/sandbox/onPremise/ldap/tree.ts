import { createHash, randomBytes } from 'node:crypto';

/**
 * What the sandbox's on-premise directory holds: `dc=example,dc=com` with the bind user of the seeded `onprem-ldap`
 * destination (its DN and password are the seed's, `seed.ts`), three people and two groups to search.
 */

export const directorySuffix = 'dc=example,dc=com';

/** The seeded destination's `ldap.user` and `ldap.password`: the sandbox's own demo credentials, not a user's. */
export const directoryReader = { dn: `cn=reader,${directorySuffix}`, password: 'ldap-password-1' } as const;

export interface DirectoryPerson {
  readonly uid: string;
  readonly givenName: string;
  readonly sn: string;
  readonly title: string;
}

/** The sandbox's BTP users (`world.ts`) as the corporate directory knows them. */
export const directoryPeople: readonly DirectoryPerson[] = [
  { uid: 'alice', givenName: 'Alice', sn: 'Anderson', title: 'Developer' },
  { uid: 'bob', givenName: 'Bob', sn: 'Brown', title: 'Developer' },
  { uid: 'carol', givenName: 'Carol', sn: 'Clark', title: 'Sales Manager' },
];

export const directoryGroups: readonly { readonly cn: string; readonly members: readonly string[] }[] = [
  { cn: 'developers', members: ['alice', 'bob'] },
  { cn: 'sales', members: ['carol'] },
];

export const personDn = (uid: string) => `uid=${uid},ou=people,${directorySuffix}`;
export const groupDn = (cn: string) => `cn=${cn},ou=groups,${directorySuffix}`;

/** RFC 2307 `{SSHA}`: SHA-1 over password and salt, then the salt; what slapd checks a simple bind against. */
export function sshaHash(password: string, salt: Buffer = randomBytes(8)): string {
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** The tree as LDIF for `slapadd`; the reader's password only as a salted hash. */
export function directoryLdif(): string {
  const entry = (dn: string, attributes: readonly (readonly [string, string])[]) =>
    [`dn: ${dn}`, ...attributes.map(([name, value]) => `${name}: ${value}`)].join('\n');
  const entries = [
    entry(directorySuffix, [
      ['objectClass', 'dcObject'],
      ['objectClass', 'organization'],
      ['dc', 'example'],
      ['o', 'Example Corp'],
    ]),
    entry(directoryReader.dn, [
      ['objectClass', 'organizationalRole'],
      ['objectClass', 'simpleSecurityObject'],
      ['cn', 'reader'],
      ['description', 'Read-only bind user of the onprem-ldap destination'],
      ['userPassword', sshaHash(directoryReader.password)],
    ]),
    entry(`ou=people,${directorySuffix}`, [
      ['objectClass', 'organizationalUnit'],
      ['ou', 'people'],
    ]),
    ...directoryPeople.map((person) =>
      entry(personDn(person.uid), [
        ['objectClass', 'inetOrgPerson'],
        ['uid', person.uid],
        ['cn', `${person.givenName} ${person.sn}`],
        ['givenName', person.givenName],
        ['sn', person.sn],
        ['title', person.title],
        ['mail', `${person.uid}@example.com`],
      ]),
    ),
    entry(`ou=groups,${directorySuffix}`, [
      ['objectClass', 'organizationalUnit'],
      ['ou', 'groups'],
    ]),
    ...directoryGroups.map((group) =>
      entry(groupDn(group.cn), [['objectClass', 'groupOfNames'], ['cn', group.cn], ...group.members.map((uid) => ['member', personDn(uid)] as const)]),
    ),
  ];
  return `${entries.join('\n\n')}\n`;
}
