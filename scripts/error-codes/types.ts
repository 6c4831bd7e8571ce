/** What the error-code scan finds: shared by the scan of the source and that of the flow definitions. */

export type ErrorClassName = 'transient' | 'business' | 'configuration' | 'bug';
export interface SourcePosition {
  /** path relative to the scan's root directory, with forward slashes */
  file: string;
  line: number;
  column: number;
}

export interface CodeUse extends SourcePosition {
  /** a code (`M3_NOK`) or a pattern with `*` for the parts only known at run time (`INFRA_*`) */
  code: string;
  isPattern: boolean;
  /** the helpers the code passed through, innermost last (e.g. `fail`, `BodError`) */
  via: string[];
  /** classes the site can raise it with, when the checker knows them */
  errorClasses?: ErrorClassName[];
  /** HTTP statuses the site can give it, when known (a missing status counts as the class default) */
  httpStatuses?: number[];
  /** what kind of property carried it: `code` (errors and answers), `errorCode`, `error_code`, … */
  property: string;
  /** set for a code inside another error's details: the type that carries it (one of `extraRoots`) */
  detailOf?: string;
}
