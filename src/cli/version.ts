/** The CLI's version, printed by --version and written into HAR files. */
export const version = '0.1.0';
