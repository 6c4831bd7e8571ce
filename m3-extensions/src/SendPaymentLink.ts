/**
 * SendPaymentLink — H5 script for OIS300/B (customer orders) and OIS350/B (customer order
 * invoices). Adds a "Send payment link" button; for the selected row(s) it asks the m3-paytrace
 * gateway (registered as an ION API suite) for a payment link of each invoice's open amount and
 * shows the link with its amount and expiry, and Copy, E-mail and QR actions.
 *
 * Script arguments (Tools › Personalization › Scripts), `key=value` pairs separated by `;`:
 *   api=/M3PAYTRACE            ION API suite context + proxy path of the gateway (default /M3PAYTRACE)
 *   userHeader=X-M3-User       header carrying the M3 user to the gateway's audit log
 *   top=0;left=60;width=16     button position in grid units
 *   invoiceColumns=IVNO,EXIN   list columns holding the invoice number (OIS350/B), first found wins
 *   yearColumns=YEA4           list columns holding the invoice year; else the WWYEA4 positioner
 *   orderColumns=ORNO,OAORNO   list columns holding the order number (OIS300/B)
 */

interface PaymentLink {
  id: string;
  url: string;
  status: string;
  amount: string;
  currency: string;
  invoice: { company: number; division: string; number: string; year: number; order?: string };
  customer: { number: string; name?: string };
  dueDate?: string;
  expiresAt: string;
  reused?: boolean;
  qrCode?: string;
}

interface LinkRequest {
  company?: number;
  division?: string;
  invoiceNumber?: string;
  invoiceYear?: number;
  orderNumber?: string;
}

/** What we know about a failed call, in words for the M3 user. */
interface Failure {
  what: string;
  message: string;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the H5 client finds the class by its name
class SendPaymentLink {
  private readonly controller: IInstanceController;
  private readonly log: IScriptLog;
  private readonly settings: { [key: string]: string };
  private busy = false;

  constructor(args: IScriptArgs) {
    this.controller = args.controller;
    this.log = args.log;
    this.settings = SendPaymentLink.parseArgs(args.args);
  }

  public static Init(args: IScriptArgs): void {
    new SendPaymentLink(args).run();
  }

  /** "api=/X;left=60" → {api: "/X", left: "60"} */
  public static parseArgs(text: string | undefined): { [key: string]: string } {
    const result: { [key: string]: string } = {};
    (text || '').split(';').forEach((pair) => {
      const at = pair.indexOf('=');
      if (at > 0) result[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    });
    return result;
  }

  private setting(key: string, fallback: string): string {
    const value = this.settings[key];
    return value === undefined || value === '' ? fallback : value;
  }

  private list(key: string, fallback: string): string[] {
    return this.setting(key, fallback)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  public run(): void {
    const program = this.controller.GetProgramName();
    if (program !== 'OIS300' && program !== 'OIS350') {
      this.log.Warning('SendPaymentLink works on OIS300/B and OIS350/B, not on ' + program);
      return;
    }
    const button = new ButtonElement();
    button.Name = 'btnSendPaymentLink';
    button.Value = 'Send payment link';
    button.Position = new PositionElement();
    button.Position.Top = Number(this.setting('top', '0'));
    button.Position.Left = Number(this.setting('left', '60'));
    button.Position.Width = Number(this.setting('width', '16'));
    this.controller.GetContentElement().AddElement(button).click({}, () => {
      this.onClick();
    });
  }

  /** The values of the first of `columns` that the list has, for the selected rows. */
  private selected(columns: string[]): string[] | null {
    for (let i = 0; i < columns.length; i++) {
      const values = ListControl.ListView.GetValueByColumnName(columns[i]);
      if (values !== null && values !== undefined) return values.map((v) => String(v).trim());
    }
    return null;
  }

  /** One request per selected row; an explanation when nothing usable is selected. */
  public requests(): { requests: LinkRequest[]; problem?: string } {
    const company = Number(ScriptUtil.GetUserContext('CurrentCompany')) || undefined;
    const division = (ScriptUtil.GetUserContext('CurrentDivision') || '').trim() || undefined;
    if (this.controller.GetProgramName() === 'OIS300') {
      const orders = this.selected(this.list('orderColumns', 'ORNO,OAORNO'));
      if (orders === null) return { requests: [], problem: 'The list has no order number column (ORNO). Check the script argument orderColumns.' };
      const chosen = orders.filter((o) => o !== '');
      if (!chosen.length) return { requests: [], problem: 'Select one or more orders first.' };
      return { requests: chosen.map((orderNumber) => ({ company, division, orderNumber })) };
    }
    const invoices = this.selected(this.list('invoiceColumns', 'IVNO,EXIN'));
    if (invoices === null) return { requests: [], problem: 'The list has no invoice number column (IVNO/EXIN). Check the script argument invoiceColumns.' };
    const years = this.selected(this.list('yearColumns', 'YEA4'));
    const positionerYear = (ScriptUtil.GetFieldValue('WWYEA4', this.controller) || '').trim();
    const requests: LinkRequest[] = [];
    for (let i = 0; i < invoices.length; i++) {
      if (invoices[i] === '') continue;
      const year = Number((years && years[i]) || positionerYear);
      if (!year) return { requests: [], problem: 'The invoice year is not known: enter it in the Year field (WWYEA4) or show the YEA4 column.' };
      requests.push({ company, division, invoiceNumber: invoices[i], invoiceYear: year });
    }
    if (!requests.length) return { requests: [], problem: 'Select one or more invoices first.' };
    return { requests };
  }

  private api(): IIonApiService {
    // H5 2.0 made the service static; older clients have it on .Current
    return ScriptUtil.version >= 2.0 ? IonApiService : IonApiService.Current;
  }

  /**
   * The M3 user rides along so the gateway's audit log names them (the ION API suite's API key
   * proves the call came through the suite; see ion-bods/SETUP.md §2).
   */
  private headers(): { [name: string]: string } {
    const headers: { [name: string]: string } = { 'Content-Type': 'application/json', Accept: 'application/json' };
    const user = (ScriptUtil.GetUserContext('USID') || '').trim();
    if (user) headers[this.setting('userHeader', 'X-M3-User')] = user;
    return headers;
  }

  private base(): string {
    return this.setting('api', '/M3PAYTRACE').replace(/\/$/, '');
  }

  /** The gateway's problem JSON `detail`, or a sentence for what went wrong on the way. */
  public static explain(error: unknown): string {
    const response = error as IonApiResponse<{ detail?: string; title?: string; code?: string }> | undefined;
    const status = response && typeof response.status === 'number' ? response.status : 0;
    const body = response && response.data && typeof response.data === 'object' ? response.data : undefined;
    if (body && body.detail) return body.detail;
    if (status === 401 || status === 403) return 'You are not allowed to create payment links (the ION API refused the call). Ask your administrator for access to the payment gateway API.';
    if (status === 404) return 'The payment gateway API was not found. Check that its ION API suite is registered and the script argument api.';
    if (status === 0) return 'The payment gateway could not be reached. Try again in a moment.';
    if (status >= 500) return 'The payment gateway had a problem (HTTP ' + status + '). Try again in a moment.';
    return (body && body.title) || (response && response.message) || 'The request failed (HTTP ' + status + ').';
  }

  public onClick(): void {
    if (this.busy) return; // one request at a time: a double click sends one
    const selection = this.requests();
    if (selection.problem) {
      ConfirmDialog.ShowMessageDialog({ dialogType: 'Information', header: 'Send payment link', message: selection.problem });
      return;
    }
    this.busy = true;
    if (this.controller.ShowBusyIndicator) this.controller.ShowBusyIndicator();
    const links: PaymentLink[] = [];
    const failures: Failure[] = [];
    let chain: Promise<void> = Promise.resolve();
    selection.requests.forEach((request) => {
      chain = chain.then(() =>
        this.api()
          .execute<{ links: PaymentLink[] }>({ url: this.base() + '/api/payment-links', method: 'POST', data: request, headers: this.headers() })
          .then(
            (response) => {
              const got = response && response.data && response.data.links;
              if (!got || !got.length) failures.push({ what: SendPaymentLink.describe(request), message: 'The payment gateway answered without a link.' });
              else for (let i = 0; i < got.length; i++) links.push(got[i]);
            },
            (error: unknown) => {
              this.log.Error('payment link request failed for ' + SendPaymentLink.describe(request), error);
              failures.push({ what: SendPaymentLink.describe(request), message: SendPaymentLink.explain(error) });
            },
          ),
      );
    });
    void chain.then(() => {
      this.busy = false;
      if (this.controller.HideBusyIndicator) this.controller.HideBusyIndicator();
      this.show(links, failures);
    });
  }

  private static describe(request: LinkRequest): string {
    return request.orderNumber ? 'order ' + request.orderNumber : 'invoice ' + request.invoiceNumber;
  }

  public static formatAmount(amount: string, currency: string): string {
    const parts = amount.split('.');
    const whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (currency === 'USD' ? '$' : currency + ' ') + whole + '.' + (parts[1] || '00');
  }

  public static formatDate(iso: string): string {
    return iso.slice(0, 10);
  }

  private show(links: PaymentLink[], failures: Failure[]): void {
    if (!links.length) {
      const message = failures.map((f) => f.what + ': ' + f.message).join('\n');
      ConfirmDialog.ShowMessageDialog({ dialogType: 'Error', header: 'No payment link was created', message: message });
      return;
    }
    const content = document.createElement('div');
    content.className = 'm3pt-links';
    links.forEach((link) => content.appendChild(this.linkElement(link)));
    if (failures.length) {
      const problems = document.createElement('div');
      problems.className = 'm3pt-failures';
      problems.setAttribute('role', 'alert');
      failures.forEach((f) => {
        const p = document.createElement('p');
        p.textContent = f.what + ': ' + f.message;
        problems.appendChild(p);
      });
      content.appendChild(problems);
    }
    this.dialog(content, links.length === 1 ? 'Payment link for invoice ' + links[0].invoice.number : links.length + ' payment links', links);
    this.controller.ShowMessageInStatusBar(links.length === 1 ? 'Payment link ready for invoice ' + links[0].invoice.number : links.length + ' payment links ready');
  }

  /**
   * Show the links: H5ControlUtil.H5Dialog on H5 2.0 and later, the jQuery inforMessageDialog of
   * older clients (as Infor's H5SampleCustomDialog does), and when neither is there, a plain
   * message dialog with the links as text, so a link is never made and not shown.
   */
  private dialog(content: HTMLElement, title: string, links: PaymentLink[]): void {
    const h5Dialog = typeof H5ControlUtil !== 'undefined' && H5ControlUtil && H5ControlUtil.H5Dialog;
    if (ScriptUtil.version >= 2.0 && h5Dialog) {
      h5Dialog.CreateDialogElement(content, {
        title: title,
        dialogType: 'General',
        modal: true,
        width: '520px',
        buttons: [{ text: 'Close', isDefault: true, click: (_event, dialog) => dialog.close() }],
      });
      return;
    }
    const jq = typeof $ !== 'undefined' ? $ : undefined;
    const legacy = jq ? jq(content) : undefined;
    if (jq && legacy && legacy.inforMessageDialog) {
      legacy.inforMessageDialog({
        title: title,
        dialogType: 'General',
        modal: true,
        width: 520,
        closeOnEscape: true,
        close: () => content.parentNode && content.parentNode.removeChild(content),
        buttons: [
          {
            text: 'Close',
            isDefault: true,
            click: function (this: HTMLElement) {
              jq(this).inforDialog('close');
            },
          },
        ],
      });
      return;
    }
    ConfirmDialog.ShowMessageDialog({
      dialogType: 'Information',
      header: title,
      message: links.map((l) => 'Invoice ' + l.invoice.number + ' (' + SendPaymentLink.formatAmount(l.amount, l.currency) + '): ' + l.url).join('\n'),
    });
  }

  private linkElement(link: PaymentLink): HTMLElement {
    const box = document.createElement('section');
    box.className = 'm3pt-link';
    box.setAttribute('data-link-id', link.id);
    const line = (label: string, value: string, name: string) => {
      const p = document.createElement('p');
      const b = document.createElement('b');
      b.textContent = label + ': ';
      const span = document.createElement('span');
      span.className = 'm3pt-' + name;
      span.textContent = value;
      p.appendChild(b);
      p.appendChild(span);
      box.appendChild(p);
    };
    line('Invoice', link.invoice.number + (link.invoice.order ? ' (order ' + link.invoice.order + ')' : ''), 'invoice');
    line('Customer', link.customer.number + (link.customer.name ? ' ' + link.customer.name : ''), 'customer');
    line('Amount', SendPaymentLink.formatAmount(link.amount, link.currency), 'amount');
    if (link.dueDate) line('Due', link.dueDate, 'due');
    line('Link valid until', SendPaymentLink.formatDate(link.expiresAt), 'expires');
    if (link.reused) line('Note', 'This invoice already had this open link; it was not created again.', 'note');

    const url = document.createElement('input');
    url.type = 'text';
    url.readOnly = true;
    url.className = 'm3pt-url';
    url.value = link.url;
    url.setAttribute('aria-label', 'Payment link');
    box.appendChild(url);

    const status = document.createElement('p');
    status.className = 'm3pt-status';
    status.setAttribute('role', 'status');

    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'm3pt-copy';
    copy.textContent = 'Copy link';
    copy.onclick = () => {
      SendPaymentLink.copy(url).then(
        () => (status.textContent = 'Link copied.'),
        () => (status.textContent = 'Copy did not work: select the link and press Ctrl+C.'),
      );
    };
    box.appendChild(copy);

    const email = document.createElement('input');
    email.type = 'email';
    email.className = 'm3pt-email';
    email.placeholder = 'customer@example.com';
    email.setAttribute('aria-label', 'Customer e-mail address');
    const send = document.createElement('button');
    send.type = 'button';
    send.className = 'm3pt-send';
    send.textContent = 'E-mail link';
    send.onclick = () => this.sendEmail(link, email, send, status);
    box.appendChild(email);
    box.appendChild(send);

    if (link.qrCode && /^data:image\/(png|svg\+xml);base64,/.test(link.qrCode)) {
      const qr = document.createElement('img');
      qr.className = 'm3pt-qr';
      qr.src = link.qrCode;
      qr.alt = 'QR code of the payment link';
      qr.width = 160;
      qr.height = 160;
      box.appendChild(qr);
    }
    box.appendChild(status);
    return box;
  }

  private static copy(input: HTMLInputElement): Promise<void> {
    const clipboard = typeof navigator !== 'undefined' ? (navigator as Navigator & { clipboard?: { writeText(t: string): Promise<void> } }).clipboard : undefined;
    if (clipboard && clipboard.writeText) return clipboard.writeText(input.value);
    input.select();
    return document.execCommand && document.execCommand('copy') ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }

  private sendEmail(link: PaymentLink, input: HTMLInputElement, button: HTMLButtonElement, status: HTMLElement): void {
    const to = input.value.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)) {
      status.textContent = 'Enter the customer e-mail address first.';
      return;
    }
    button.disabled = true;
    status.textContent = 'Sending…';
    this.api()
      .execute<{ status: string }>({ url: this.base() + '/api/payment-links/' + encodeURIComponent(link.id) + '/email', method: 'POST', data: { to: to }, headers: this.headers() })
      .then(
        () => {
          status.textContent = 'The link was sent to ' + to + '.';
          button.disabled = false;
        },
        (error: unknown) => {
          status.textContent = 'The e-mail was not sent: ' + SendPaymentLink.explain(error);
          button.disabled = false;
        },
      );
  }
}
