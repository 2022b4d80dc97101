import type { GoBuild } from './go-build.ts';
/** k6 from its own module: a plain `go install` (its go.mod has no replace directives). */
export declare const k6Build: GoBuild;
/** helm 3 from its own module; the version variable is set as its release build does. */
export declare const helmBuild: GoBuild;
/**
 * etcd's server module carries replace directives pointing into its own repository, which
 * `go install` refuses; a wrapper module that requires it resolves the siblings from the
 * proxy at the same release instead.
 */
export declare const etcdBuild: GoBuild;
