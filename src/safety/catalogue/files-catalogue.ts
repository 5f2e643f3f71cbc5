/** Catalogue: files. Format and semantics: `catalogue.ts`. */
export const FILES_CATALOGUE = String.raw`
`;
