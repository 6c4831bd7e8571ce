/**
 * The parts of the Infor M3 H5 script API that SendPaymentLink uses, declared by us from the
 * H5 Script Developers Guide (SDK 10.4.1) as summarised in shared/reference/infor-m3-ion.md §6.
 * Only what we call is declared; names and shapes follow the guide.
 */

/** What the H5 client passes to a script's static Init. */
interface IScriptArgs {
  controller: IInstanceController;
  /** the element the script is attached to (jQuery object in the real client) */
  elem: unknown;
  /** the script arguments typed in Tools › Personalization › Scripts */
  args: string;
  log: IScriptLog;
}

interface IScriptLog {
  Info(message: string): void;
  Warning(message: string): void;
  Error(message: string, ex?: unknown): void;
  Debug(message: string): void;
}

/** A jQuery-like handle on an element the script added. */
interface IH5Element {
  click(data: unknown, handler: () => void): unknown;
}

interface IContentElement {
  AddElement(element: ButtonElement): IH5Element;
}

interface IInstanceController {
  GetContentElement(): IContentElement;
  GetProgramName(): string;
  GetPanelName(): string;
  GetValue(fieldName: string): string;
  ShowMessage(message: string): void;
  ShowMessageInStatusBar(message: string): void;
  ShowBusyIndicator?(): void;
  HideBusyIndicator?(): void;
}

declare class PositionElement {
  Top: number;
  Left: number;
  Width: number;
  Height?: number;
}

declare class ButtonElement {
  Name: string;
  Value: string;
  Position: PositionElement;
}

declare namespace ScriptUtil {
  const version: number;
  function GetFieldValue(name: string, controller?: IInstanceController): string;
  function GetUserContext(key: 'CurrentCompany' | 'CurrentDivision' | 'USID' | 'CurrentLanguage' | 'IonApiUrl' | string): string;
}

/** The classic list of a panel: values of the selected rows, by column. */
declare namespace ListControl {
  namespace ListView {
    /** values of the column for every selected row ([] when none selected, null when the column does not exist) */
    function GetValueByColumnName(name: string): string[] | null;
    function SelectedItem(): number[];
  }
}

interface IonApiRequest {
  /** relative to the tenant's ION API base: /<API suite context>/... */
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  data?: unknown;
  record?: Record<string, unknown>;
  headers?: Record<string, string>;
  responseType?: string;
  cache?: boolean;
}

interface IonApiResponse<T = unknown> {
  data: T;
  status: number;
  statusText?: string;
  message?: string;
}

interface IIonApiService {
  execute<T = unknown>(request: IonApiRequest): Promise<IonApiResponse<T>>;
}

/** Static in ScriptUtil.version >= 2.0; `IonApiService.Current` before. */
declare const IonApiService: IIonApiService & { Current: IIonApiService };

interface IMessageDialogOptions {
  /** the values Infor's H5 samples use */
  dialogType: 'Information' | 'Warning' | 'Error' | 'Question';
  header: string;
  message: string;
  withCancelButton?: boolean;
  closed?: (result: { ok: boolean }) => void;
}

declare namespace ConfirmDialog {
  function ShowMessageDialog(options: IMessageDialogOptions): void;
}

interface IDialogButton {
  text: string;
  isDefault?: boolean;
  click: (event: unknown, dialog: { close(): void }) => void;
}

interface IDialogOptions {
  title: string;
  dialogType?: string;
  modal?: boolean;
  width?: string;
  buttons?: IDialogButton[];
  closed?: () => void;
}

/** H5 2.0 and later; absent on older clients (see SendPaymentLink.dialog) */
declare const H5ControlUtil: {
  H5Dialog?: {
    /** shows `content` as a dialog of the H5 client */
    CreateDialogElement(content: HTMLElement, options: IDialogOptions): unknown;
  };
};

/** The jQuery of older H5 clients, with Infor's dialog plug-in (H5SampleCustomDialog: `inforMessageDialog`, closed with `inforDialog('close')`). */
interface IInforJQuery {
  inforMessageDialog?(options: { title: string; dialogType?: string; modal?: boolean; width?: number; closeOnEscape?: boolean; close?: () => void; buttons?: Array<{ text: string; isDefault?: boolean; click: (this: HTMLElement) => void }> }): unknown;
  inforDialog(command: 'close'): unknown;
}
declare const $: (element: HTMLElement) => IInforJQuery;
