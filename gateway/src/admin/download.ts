/** A file the browser downloads (a CSV link, a PDF) instead of JSON. */
export class Download {
  constructor(
    readonly filename: string,
    readonly type: string,
    readonly body: string | Buffer,
  ) {}
}
