/** The account of the sandbox's on-premise mail server, as the seeded `onprem-mail` destination holds it (demo data). */
export const ONPREM_MAIL_ACCOUNT = { user: 'mailer', password: 'mail-password-1' } as const;
