// Types for staleness.mjs, so that TypeScript tests can import it (tsconfig has allowJs: false).
export declare function mtimeOf(file: string): number | null;
export declare const IGNORED_NAMES: Set<string>;
export declare function isTestFile(name: string): boolean;
export declare function newestMtime(dir: string, ignore?: (name: string) => boolean): number | null;
export declare function newestOf(paths: readonly string[], ignore?: (name: string) => boolean): number | null;
export declare function needsNpmCi(mtimes: {
  nodeModules: number | null;
  hiddenLock: number | null;
  lock: number | null;
  stamp: number | null;
}): string | null;
export declare function needsBuild(mtimes: { buildId: number | null; newestSource: number | null }): string | null;
