/** The exact 404 body the SAP Cloud SDK string-matches to mean "not here, try the next level" (spec §3.3). */
export const notFoundBody = { ErrorMessage: 'Configuration with the specified name was not found' } as const;

export function errorBody(message: string): { ErrorMessage: string } {
  return { ErrorMessage: message };
}
