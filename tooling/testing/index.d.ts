/** Root of the repository. */
export declare const repoRoot: string;
/** The shared reference folder; EMMS_REFERENCE_DIR overrides ../shared/reference. */
export declare function referenceDir(): string;
/** Names of the fixture folders under reference/fixtures. */
export declare const fixtureNames: readonly string[];
/** Path of a file inside a fixture folder. */
export declare function fixturePath(fixture: string, file: string): string;
