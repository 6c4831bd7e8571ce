import path from 'node:path';
import ts from 'typescript';
import type { JSDOM as JsdomClass } from 'jsdom';

// jsdom arrives through the test file's environment (./jsdom-environment.js): jest's CommonJS
// runtime cannot load its ESM-only dependencies, Node can.
type JSDOM = JsdomClass;
function jsdomClass(): typeof JsdomClass {
  const found = (globalThis as { JSDOM?: typeof JsdomClass }).JSDOM;
  if (!found) throw new Error('run this test with @jest-environment ./test/unit/m3-extensions/jsdom-environment.js');
  return found;
}

/**
 * Build the H5 script exactly as `npx tsc -p m3-extensions` does (same tsconfig), in memory, and
 * fail on any compiler error: the tests run the JavaScript file the H5 client would load.
 */
let built: string | undefined;
export function buildH5Script(): string {
  if (built) return built;
  const configPath = path.resolve(__dirname, '..', '..', '..', 'm3-extensions', 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (!config) throw new Error('m3-extensions/tsconfig.json not readable');
  const program = ts.createProgram(config.fileNames, config.options);
  const outputs: Record<string, string> = {};
  const emitted = program.emit(undefined, (file, text) => (outputs[path.basename(file)] = text));
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length) throw new Error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
  const js = outputs['SendPaymentLink.js'];
  if (!js) throw new Error(`the build wrote ${Object.keys(outputs).join(', ')}, not SendPaymentLink.js`);
  built = js;
  return js;
}

export interface IonCall {
  url: string;
  method: string;
  data?: unknown;
  headers?: Record<string, string>;
}

export interface IonAnswer {
  data: unknown;
  status: number;
  statusText?: string;
  message?: string;
}

export interface FakeH5Options {
  program: 'OIS300' | 'OIS350' | string;
  /** values of each list column for the selected rows (a column not listed does not exist) */
  columns: Record<string, string[]>;
  fields?: Record<string, string>;
  userContext?: Record<string, string>;
  args?: string;
  version?: number;
  /** which dialog API the client has: H5ControlUtil.H5Dialog (2.0+), jQuery inforMessageDialog (older), or neither */
  dialogApi?: 'h5' | 'jquery' | 'none';
  /** the ION API gateway: resolve with the answer, or reject with it (errors) */
  ionApi: (call: IonCall) => Promise<IonAnswer>;
}

export interface FakeH5 {
  dom: JSDOM;
  document: Document;
  ionCalls: IonCall[];
  messageDialogs: Array<{ dialogType: string; header: string; message: string }>;
  dialogs: Array<{ title: string; content: HTMLElement; close(): void; api: 'h5' | 'jquery'; dialogType?: string }>;
  statusBar: string[];
  logs: Array<[string, string]>;
  busy: { shown: number; hidden: number };
  clipboard: string[];
  button(): HTMLButtonElement | null;
  /** resolves when every ION call made so far has been answered and handled */
  settle(): Promise<void>;
  close(): void;
}

/**
 * A stand-in for the H5 client (which cannot run outside Infor's web UI): the script-facing API
 * of §6 of the reference — controller, content element, ListControl, ScriptUtil, IonApiService,
 * ConfirmDialog, H5ControlUtil — backed by a jsdom document, recording what the script does.
 */
export function startFakeH5(options: FakeH5Options): FakeH5 {
  const dom = new (jsdomClass())('<!doctype html><html><body><div id="panel"></div></body></html>', { runScripts: 'outside-only', url: 'https://mingle.example.com/m3/' });
  const window = dom.window as unknown as Window & Record<string, unknown> & { eval(code: string): unknown };
  const document = window.document;
  const pending: Array<Promise<unknown>> = [];
  const h5: FakeH5 = {
    dom,
    document,
    ionCalls: [],
    messageDialogs: [],
    dialogs: [],
    statusBar: [],
    logs: [],
    busy: { shown: 0, hidden: 0 },
    clipboard: [],
    button: () => document.querySelector<HTMLButtonElement>('#panel button[name="btnSendPaymentLink"]'),
    async settle() {
      // answers arrive one after another (the script chains them): wait until no new call appears
      for (let seen = -1; seen !== pending.length; ) {
        seen = pending.length;
        await Promise.allSettled(pending);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    close: () => dom.window.close(),
  };

  class PositionElement {
    Top = 0;
    Left = 0;
    Width = 0;
  }
  class ButtonElement {
    Name = '';
    Value = '';
    Position = new PositionElement();
  }
  const controller = {
    GetProgramName: () => options.program,
    GetPanelName: () => 'B',
    GetValue: (name: string) => options.fields?.[name] ?? '',
    ShowMessage: (message: string) => h5.statusBar.push(message),
    ShowMessageInStatusBar: (message: string) => h5.statusBar.push(message),
    ShowBusyIndicator: () => h5.busy.shown++,
    HideBusyIndicator: () => h5.busy.hidden++,
    GetContentElement: () => ({
      AddElement(element: ButtonElement) {
        const button = document.createElement('button');
        button.name = element.Name;
        button.textContent = element.Value;
        button.dataset.position = `${element.Position.Top},${element.Position.Left},${element.Position.Width}`;
        document.getElementById('panel')!.appendChild(button);
        return { click: (_data: unknown, handler: () => void) => button.addEventListener('click', handler) };
      },
    }),
  };
  const ionService = {
    execute(request: IonCall) {
      h5.ionCalls.push({ url: request.url, method: request.method, data: request.data, headers: request.headers });
      const answer = options.ionApi(request);
      pending.push(answer);
      return answer;
    },
  };
  const dialogApi = options.dialogApi ?? ((options.version ?? 2.0) >= 2.0 ? 'h5' : 'jquery');
  const frameFor = (content: HTMLElement, o: { title: string; dialogType?: string }, api: 'h5' | 'jquery') => {
    const frame = document.createElement('div');
    frame.className = 'h5-dialog';
    frame.setAttribute('role', 'dialog');
    frame.setAttribute('aria-label', o.title);
    frame.appendChild(content);
    const entry = { title: o.title, content, close: () => frame.remove(), api, dialogType: o.dialogType };
    document.body.appendChild(frame);
    h5.dialogs.push(entry);
    return { frame, entry };
  };
  if (dialogApi === 'jquery') {
    // the classic client's jQuery with Infor's dialog plug-in (H5SampleCustomDialog)
    const open = new Map<HTMLElement, () => void>();
    Object.assign(window, {
      $: (element: HTMLElement) => ({
        inforMessageDialog(o: { title: string; dialogType?: string; buttons?: Array<{ text: string; click: (this: HTMLElement) => void }> }) {
          const { frame, entry } = frameFor(element, o, 'jquery');
          open.set(element, entry.close);
          for (const b of o.buttons ?? []) {
            const button = document.createElement('button');
            button.className = 'h5-dialog-button';
            button.textContent = b.text;
            button.addEventListener('click', () => b.click.call(element));
            frame.appendChild(button);
          }
        },
        inforDialog(command: string) {
          if (command === 'close') open.get(element)?.();
        },
      }),
    });
  }
  Object.assign(window, {
    PositionElement,
    ButtonElement,
    ScriptUtil: {
      version: options.version ?? 2.0,
      GetUserContext: (key: string) => ({ CurrentCompany: '100', CurrentDivision: 'AAA', ...options.userContext })[key] ?? '',
      GetFieldValue: (name: string) => options.fields?.[name] ?? '',
    },
    ListControl: { ListView: { GetValueByColumnName: (name: string) => options.columns[name] ?? null, SelectedItem: () => Object.values(options.columns)[0]?.map((_v, i) => i) ?? [] } },
    IonApiService: Object.assign(Object.create(ionService) as object, { Current: ionService }),
    ConfirmDialog: { ShowMessageDialog: (o: { dialogType: string; header: string; message: string }) => h5.messageDialogs.push({ dialogType: o.dialogType, header: o.header, message: o.message }) },
  });
  if (dialogApi === 'h5') {
    Object.assign(window, {
      H5ControlUtil: {
        H5Dialog: {
          CreateDialogElement(content: HTMLElement, o: { title: string; dialogType?: string; buttons?: Array<{ text: string; click: (e: unknown, d: { close(): void }) => void }> }) {
            const { frame, entry } = frameFor(content, o, 'h5');
            for (const b of o.buttons ?? []) {
              const button = document.createElement('button');
              button.className = 'h5-dialog-button';
              button.textContent = b.text;
              button.addEventListener('click', (e) => b.click(e, entry));
              frame.appendChild(button);
            }
            return frame;
          },
        },
      },
    });
  }
  Object.defineProperty(window.navigator, 'clipboard', { value: { writeText: async (text: string) => void h5.clipboard.push(text) }, configurable: true });
  const log = {
    Info: (m: string) => h5.logs.push(['info', m]),
    Warning: (m: string) => h5.logs.push(['warning', m]),
    Error: (m: string) => h5.logs.push(['error', m]),
    Debug: (m: string) => h5.logs.push(['debug', m]),
  };
  Object.assign(window, { __h5Args: { controller, elem: document.getElementById('panel'), args: options.args ?? '', log } });
  window.eval(`${buildH5Script()}\nSendPaymentLink.Init(window.__h5Args);`);
  return h5;
}
