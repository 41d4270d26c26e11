// Types of layers.mjs (plain JavaScript so that eslint.config.js can import it).

/** The folders of src/core, lowest first; an inner array lists siblings. */
export declare const LAYERS: readonly (string | readonly string[])[];
/** Folders that may import only the listed folders. */
export declare const ONLY: Readonly<Record<string, readonly string[]>>;
/** Every folder named in LAYERS. */
export declare const CORE_FOLDERS: readonly string[];
/** The area (`core`, `server`, …) and, in src/core, the folder of a repository-relative path. */
export declare function locate(path: string): { area: string | undefined; folder: string | undefined };
/** Why `from` may not import `to` (repository-relative paths), or undefined when it may. */
export declare function layerViolation(from: string, to: string, typeOnly: boolean): string | undefined;
