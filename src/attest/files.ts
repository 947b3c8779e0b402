/** The names of the attestation files a build writes beside its artifacts (kept apart from the libraries that write them). */
export const SBOM_FILE = 'sbom.cdx.json';
