/** Catalogue: tools. Format and semantics: `catalogue.ts`. */
export const TOOLS_CATALOGUE = String.raw`
`;
