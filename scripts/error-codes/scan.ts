/**
 * Finds every error code the gateway can throw or answer, by walking the TypeScript AST with the
 * type checker (a regex misses codes that arrive through constants, conditionals and helpers).
 *
 * Where a code is born:
 * - an object literal property `code` whose object is an error or an answer: it has an `errorClass`
 *   or `httpStatus` beside it, or its contextual type declares `code` next to one of those
 *   (`AppErrorOptions`, problem JSON, the pay page's refused outcome, `errorClassOf`'s result), or
 *   it is one of `extraRoots` (e.g. `AddressProblem.code`, codes inside `ADDRESS_INVALID` details);
 * - an object literal property `errorCode`, `error_code` or `last_error_code` (dead letters,
 *   inbox rows, payments: codes an operator reads).
 *
 * A code expression is resolved through literals, `as const` constants, conditionals, `??`/`||`,
 * template literals (a part that is not a finite set of literals becomes `*`: `INFRA_*`) and
 * parameters: when the code is a parameter of the enclosing function, that function is a helper
 * (`fail('CODE', …)`, `new BodError('CODE', …)`, `invalidRequest('CODE', …)`) and each of its call
 * sites is resolved instead, with the arguments bound — helpers are found, not listed by hand.
 * A code read from another error (`err.code`, `classified.code`, `{ code } = errorClassOf(err)`)
 * is a pass-through: it was born elsewhere. Anything else is reported as unresolved, so the scan
 * cannot silently skip a code it does not understand.
 */
import path from 'node:path';
import ts from 'typescript';

import { flowDefinitionCodes } from './flow-codes';
import type { CodeUse, ErrorClassName, SourcePosition } from './types';

export type { CodeUse, ErrorClassName, SourcePosition } from './types';

const ERROR_CLASSES: readonly ErrorClassName[] = ['transient', 'business', 'configuration', 'bug'];
/** AppError's status when none is given (gateway/src/errors/app-error.ts) */
const DEFAULT_STATUS: Record<ErrorClassName, number> = { transient: 503, business: 422, configuration: 500, bug: 500 };

export interface UnresolvedCode extends SourcePosition {
  /** the expression the scan could not reduce to codes */
  text: string;
  via: string[];
}

export interface ScanResult {
  uses: CodeUse[];
  unresolved: UnresolvedCode[];
  /** sites that forward a code born elsewhere (`classified.code`) */
  passThrough: Array<SourcePosition & { text: string }>;
  /** helpers found through their parameters, `file:name` */
  helpers: string[];
  filesScanned: number;
}

export interface ScanOptions {
  /** the repository root: file names in the result are relative to it */
  rootDir: string;
  /** folders (relative to rootDir) whose .ts files are scanned */
  include: string[];
  /** path fragments to skip (e.g. `/migrations/`) */
  exclude?: string[];
  /** the tsconfig whose compiler options are used (default: rootDir/tsconfig.json) */
  tsconfig?: string;
  /**
   * Declarations of `code` properties that carry codes although no `errorClass`/`httpStatus` is
   * beside them: `{ file: 'gateway/src/domain/address.ts', type: 'AddressProblem' }`.
   */
  extraRoots?: Array<{ file: string; type: string; property?: string }>;
  /** folders (relative to rootDir) of flow definitions whose steps raise codes (`config.code`) */
  flowDefinitions?: string[];
}

/** Properties whose name alone says they hold one of our codes. */
const ALWAYS_CODE_PROPERTIES = new Set(['errorCode', 'error_code', 'last_error_code']);
/** Properties that hold a code read from elsewhere when read (`classified.code`). */
const CODE_READ_PROPERTIES = new Set(['code', 'errorCode', 'error_code', 'last_error_code']);
const MAX_HELPER_DEPTH = 8;
const MAX_TEMPLATE_EXPANSION = 64;

type FunctionLike = ts.SignatureDeclaration & { parameters: ts.NodeArray<ts.ParameterDeclaration> };

/**
 * The argument given for each parameter along one chain of helper calls. One flat map serves
 * the whole chain: an argument is evaluated with it, so a parameter of the caller (itself a helper)
 * finds its own argument further out.
 */
type Bindings = ReadonlyMap<ts.ParameterDeclaration, { arg: ts.Expression | undefined }>;
const NO_BINDINGS: Bindings = new Map();

/** What an expression can evaluate to. */
interface Value {
  strings: Set<string>;
  patterns: Set<string>;
  numbers: Set<number>;
  /** unbound parameters of the function being evaluated: the caller decides */
  params: Set<ts.ParameterDeclaration>;
  passThrough: boolean;
  unknown: ts.Node[];
  /** the expression may be undefined (an optional status: the class default applies) */
  maybeUndefined: boolean;
}

function emptyValue(): Value {
  return { strings: new Set(), patterns: new Set(), numbers: new Set(), params: new Set(), passThrough: false, unknown: [], maybeUndefined: false };
}

function merge(a: Value, b: Value): Value {
  return {
    strings: new Set([...a.strings, ...b.strings]),
    patterns: new Set([...a.patterns, ...b.patterns]),
    numbers: new Set([...a.numbers, ...b.numbers]),
    params: new Set([...a.params, ...b.params]),
    passThrough: a.passThrough || b.passThrough,
    unknown: [...a.unknown, ...b.unknown],
    maybeUndefined: a.maybeUndefined || b.maybeUndefined,
  };
}

interface RootSite {
  object: ts.ObjectLiteralExpression;
  property: string;
  codeNode: ts.Expression;
  classNode?: ts.Expression;
  statusNode?: ts.Expression;
  /** a code in an AppError-like object: no status means the class default */
  statusDefaultsByClass: boolean;
  /** the extra root type when the code is a detail code (e.g. `AddressProblem`) */
  detailOf?: string;
}

export function scanErrorCodes(options: ScanOptions): ScanResult {
  const rootDir = path.resolve(options.rootDir);
  const files = ts.sys
    .readDirectory(rootDir, ['.ts'], undefined, options.include.map((dir) => `${dir.replace(/\/$/, '')}/**/*`))
    .filter((file) => !file.endsWith('.d.ts') && !(options.exclude ?? []).some((fragment) => file.includes(fragment)));
  const configPath = options.tsconfig ?? path.join(rootDir, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configPath));
  const program = ts.createProgram({ rootNames: files, options: { ...parsed.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const scanned = new Set(files.map((file) => path.resolve(file)));
  const sourceFiles = program.getSourceFiles().filter((sf) => scanned.has(path.resolve(sf.fileName)));

  const relative = (file: string) => path.relative(rootDir, file).split(path.sep).join('/');
  const positionOf = (node: ts.Node): SourcePosition => {
    const sf = node.getSourceFile();
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    return { file: relative(sf.fileName), line: line + 1, column: character + 1 };
  };
  const extraRoots = (options.extraRoots ?? []).map((root) => ({ ...root, file: path.resolve(rootDir, root.file), property: root.property ?? 'code' }));

  // ---- pass 1: root sites, and every call by the name it calls (resolved lazily: cheaper) ----
  const callsByName = new Map<string, Array<ts.CallExpression | ts.NewExpression>>();
  const roots: RootSite[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = unwrap(node.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name) callsByName.set(name, [...(callsByName.get(name) ?? []), node]);
    }
    if (ts.isObjectLiteralExpression(node)) roots.push(...rootSitesOf(node));
    ts.forEachChild(node, visit);
  };
  for (const sf of sourceFiles) visit(sf);

  const callsOfCache = new Map<ts.Node, Array<ts.CallExpression | ts.NewExpression>>();
  /** The calls of a helper: the calls by its name that the checker resolves to it. */
  function callsOf(fn: FunctionLike): Array<ts.CallExpression | ts.NewExpression> {
    let calls = callsOfCache.get(fn);
    if (!calls) {
      // a call inside the helper itself forwards the code to itself: its outer callers decide
      const inside = (call: ts.Node) => call.pos >= fn.pos && call.end <= fn.end && call.getSourceFile() === fn.getSourceFile();
      calls = (callsByName.get(helperName(fn)) ?? []).filter((call) => !inside(call) && checker.getResolvedSignature(call)?.declaration === fn);
      callsOfCache.set(fn, calls);
    }
    return calls;
  }

  function propertyValue(element: ts.ObjectLiteralElementLike): ts.Expression | undefined {
    if (ts.isPropertyAssignment(element)) return element.initializer;
    if (ts.isShorthandPropertyAssignment(element)) return element.name;
    return undefined;
  }

  function ownProperties(object: ts.ObjectLiteralExpression): Map<string, ts.Expression> {
    const out = new Map<string, ts.Expression>();
    for (const element of object.properties) {
      const name = element.name && (ts.isIdentifier(element.name) || ts.isStringLiteral(element.name)) ? element.name.text : undefined;
      const value = propertyValue(element);
      if (name && value) out.set(name, value);
    }
    return out;
  }

  /**
   * Does a `code` declaration carry our codes? `error` for an error or answer type (an `errorClass`
   * or `httpStatus` beside it), the type's name for one of `extraRoots`, undefined otherwise.
   */
  function codeCarrier(declaration: ts.Declaration, property: string): string | undefined {
    const owner = declaration.parent;
    if (!(ts.isInterfaceDeclaration(owner) || ts.isTypeLiteralNode(owner) || ts.isClassDeclaration(owner))) return undefined;
    const siblings = new Set(owner.members.map((m) => (m.name && ts.isIdentifier(m.name) ? m.name.text : '')));
    if (siblings.has('errorClass') || siblings.has('httpStatus')) return 'error';
    const ownerName = ts.isInterfaceDeclaration(owner) || ts.isClassDeclaration(owner) ? owner.name?.text : ts.isTypeAliasDeclaration(owner.parent) ? owner.parent.name.text : undefined;
    const file = path.resolve(declaration.getSourceFile().fileName);
    return extraRoots.some((root) => root.file === file && root.type === ownerName && root.property === property) ? ownerName : undefined;
  }

  function contextualCodeDeclarations(object: ts.ObjectLiteralExpression, property: string): ts.Declaration[] {
    const type = checker.getContextualType(object);
    if (!type) return [];
    const members = type.isUnion() ? type.types : [type];
    const out: ts.Declaration[] = [];
    for (const member of members) {
      const symbol = member.getProperty(property);
      for (const declaration of symbol?.declarations ?? []) out.push(declaration);
    }
    return out;
  }

  function rootSitesOf(object: ts.ObjectLiteralExpression): RootSite[] {
    const props = ownProperties(object);
    const sites: RootSite[] = [];
    const classNode = props.get('errorClass');
    const httpStatus = props.get('httpStatus');
    const status = props.get('status');
    for (const [property, codeNode] of props) {
      let carrier: string | undefined = ALWAYS_CODE_PROPERTIES.has(property) ? 'error' : undefined;
      if (property === 'code') {
        const carriers = classNode !== undefined || httpStatus !== undefined ? ['error'] : contextualCodeDeclarations(object, 'code').map((d) => codeCarrier(d, 'code'));
        carrier = carriers.includes('error') ? 'error' : carriers.find((c) => c !== undefined);
      }
      if (!carrier || !isStringish(codeNode)) continue;
      const statusNode = httpStatus ?? (status && isNumeric(status) ? status : undefined);
      sites.push({ object, property, codeNode, classNode, statusNode, statusDefaultsByClass: classNode !== undefined, ...(carrier === 'error' ? {} : { detailOf: carrier }) });
    }
    return sites;
  }

  /** Codes are strings: a schema or a nested object under a `code` key is something else. */
  function isStringish(node: ts.Expression): boolean {
    const type = checker.getTypeAtLocation(node);
    const parts = type.isUnion() ? type.types : [type];
    return parts.some((t) => (t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0);
  }

  function isNumeric(node: ts.Expression): boolean {
    const type = checker.getTypeAtLocation(node);
    return (type.flags & ts.TypeFlags.NumberLike) !== 0 || (type.isUnion() && type.types.every((t) => (t.flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.Undefined)) !== 0));
  }

  // ---- evaluation ----
  function unwrap(node: ts.Expression): ts.Expression {
    let current = node;
    for (;;) {
      if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isSatisfiesExpression(current) || ts.isTypeAssertionExpression(current)) {
        current = current.expression;
      } else return current;
    }
  }

  function fromType(type: ts.Type): Value | undefined {
    const value = emptyValue();
    const parts = type.isUnion() ? type.types : [type];
    for (const part of parts) {
      if (part.isStringLiteral()) value.strings.add(part.value);
      else if (part.isNumberLiteral()) value.numbers.add(part.value);
      else if (part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) value.maybeUndefined = true;
      else if (part.flags & ts.TypeFlags.TemplateLiteral) {
        const template = part as ts.TemplateLiteralType;
        value.patterns.add(template.texts.join('*'));
      } else return undefined;
    }
    return value;
  }

  /** The variable or parameter an identifier names (for `{ code }`, the variable, not the property). */
  function valueSymbolOf(node: ts.Identifier): ts.Symbol | undefined {
    if (ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node) return checker.getShorthandAssignmentValueSymbol(node.parent);
    return checker.getSymbolAtLocation(node);
  }

  /** A value read from another error's code: born elsewhere. */
  function isCodeRead(node: ts.Expression): boolean {
    if (ts.isPropertyAccessExpression(node)) return CODE_READ_PROPERTIES.has(node.name.text);
    if (ts.isElementAccessExpression(node)) return ts.isStringLiteral(node.argumentExpression) && CODE_READ_PROPERTIES.has(node.argumentExpression.text);
    if (ts.isIdentifier(node)) {
      const declaration = valueSymbolOf(node)?.valueDeclaration;
      if (declaration && ts.isBindingElement(declaration)) {
        const name = declaration.propertyName ?? declaration.name;
        return ts.isIdentifier(name) && CODE_READ_PROPERTIES.has(name.text);
      }
    }
    return false;
  }

  function evaluate(raw: ts.Expression, bindings: Bindings, depth = 0): Value {
    const node = unwrap(raw);
    if (depth > 20) return { ...emptyValue(), unknown: [node] };
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { ...emptyValue(), strings: new Set([node.text]) };
    if (ts.isNumericLiteral(node)) return { ...emptyValue(), numbers: new Set([Number(node.text)]) };
    if (node.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(node) && node.text === 'undefined')) return { ...emptyValue(), maybeUndefined: true };
    if (ts.isConditionalExpression(node)) return merge(evaluate(node.whenTrue, bindings, depth + 1), evaluate(node.whenFalse, bindings, depth + 1));
    if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      return merge(evaluate(node.left, bindings, depth + 1), evaluate(node.right, bindings, depth + 1));
    }
    if (ts.isTemplateExpression(node)) return evaluateTemplate(node, bindings, depth);
    if (ts.isIdentifier(node)) {
      const declaration = valueSymbolOf(node)?.valueDeclaration;
      if (declaration && ts.isParameter(declaration)) {
        const bound = bindings.get(declaration);
        if (bound) {
          if (bound.arg) return evaluate(bound.arg, bindings, depth + 1);
          return declaration.initializer ? evaluate(declaration.initializer, bindings, depth + 1) : { ...emptyValue(), maybeUndefined: true };
        }
        return { ...emptyValue(), params: new Set([declaration]) };
      }
    }
    const typed = fromType(checker.getTypeAtLocation(node));
    if (typed && (typed.strings.size || typed.numbers.size || typed.patterns.size)) return typed;
    if (isCodeRead(node)) return { ...emptyValue(), passThrough: true };
    if (typed) return typed; // only undefined/null
    if (ts.isIdentifier(node)) {
      // a local `const code: string = …`: follow its initializer
      const declaration = valueSymbolOf(node)?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const) {
        return evaluate(declaration.initializer, bindings, depth + 1);
      }
    }
    return { ...emptyValue(), unknown: [node] };
  }

  function evaluateTemplate(node: ts.TemplateExpression, bindings: Bindings, depth: number): Value {
    let texts: string[] = [node.head.text];
    let pattern = false;
    const out = emptyValue();
    for (const span of node.templateSpans) {
      const part = evaluate(span.expression, bindings, depth + 1);
      const choices = [...part.strings, ...[...part.numbers].map(String)];
      out.params = new Set([...out.params, ...part.params]);
      const finite = choices.length > 0 && !part.patterns.size && !part.unknown.length && !part.passThrough && !part.params.size;
      if (finite && texts.length * choices.length <= MAX_TEMPLATE_EXPANSION) {
        texts = texts.flatMap((t) => choices.map((c) => t + c + span.literal.text));
      } else {
        pattern = true;
        texts = [...new Set(texts.map((t) => `${t}*${span.literal.text}`))];
      }
    }
    for (const text of texts) (pattern ? out.patterns : out.strings).add(text.replace(/\*+/g, '*'));
    return out;
  }

  function functionOf(parameter: ts.ParameterDeclaration): FunctionLike {
    return parameter.parent as FunctionLike;
  }

  function helperName(fn: FunctionLike): string {
    if (ts.isConstructorDeclaration(fn)) return fn.parent.name?.text ?? 'constructor';
    if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
    if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name.text;
    if (ts.isPropertyAssignment(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name.text;
    return '(anonymous)';
  }

  function bindCall(fn: FunctionLike, call: ts.CallExpression | ts.NewExpression, outer: Bindings): Bindings {
    const map = new Map(outer);
    const args = call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
    fn.parameters.forEach((parameter, i) => map.set(parameter, { arg: args[i] }));
    return map;
  }

  // ---- resolve each root site, fanning out through helpers ----
  const uses: CodeUse[] = [];
  const unresolved: UnresolvedCode[] = [];
  const passThrough: Array<SourcePosition & { text: string }> = [];
  const helpers = new Set<string>();
  const seenUse = new Set<string>();

  const classesOf = (value: Value | undefined): ErrorClassName[] | undefined => {
    if (!value || value.unknown.length || value.params.size || value.passThrough || value.patterns.size) return undefined;
    const classes = [...value.strings].filter((s): s is ErrorClassName => (ERROR_CLASSES as readonly string[]).includes(s));
    // the whole ErrorClass type says nothing about the site
    return classes.length && classes.length < ERROR_CLASSES.length ? classes : undefined;
  };

  function resolveSite(site: RootSite, bindings: Bindings, via: string[], anchor: ts.Node): void {
    const code = evaluate(site.codeNode, bindings);
    const klass = site.classNode ? evaluate(site.classNode, bindings) : undefined;
    const status = site.statusNode ? evaluate(site.statusNode, bindings) : undefined;
    const pending = new Set([...code.params, ...(klass?.params ?? []), ...(status?.params ?? [])]);
    // a parameter the code depends on: the enclosing function is a helper, resolve at its callers
    const codeParams = [...code.params];
    if (codeParams.length) {
      const fn = functionOf(codeParams[0]!);
      const name = helperName(fn);
      helpers.add(`${relative(fn.getSourceFile().fileName)}:${name}`);
      const calls = callsOf(fn);
      // a helper already in this chain calls itself: its callers further out decide, not it
      const recursive = fn.parameters.some((parameter) => bindings.has(parameter));
      if (recursive || via.length >= MAX_HELPER_DEPTH) {
        unresolved.push({ ...positionOf(anchor), text: `${site.codeNode.getText()} (${recursive ? 'a recursive helper' : 'helpers nested too deep'})`, via });
        return;
      }
      for (const call of calls) resolveSite(site, bindCall(fn, call, bindings), [name, ...via], call);
      // (a helper nobody calls raises nothing: its parameter's type is not a list of raised codes)
      // literal codes in the same expression (`cond ? code : 'OTHER'`) are still this site's
      if (!code.strings.size && !code.patterns.size) return;
    }
    for (const node of code.unknown) unresolved.push({ ...positionOf(anchor), text: node.getText(), via });
    if (code.passThrough) passThrough.push({ ...positionOf(anchor), text: site.codeNode.getText() });
    const classes = pending.size ? undefined : classesOf(klass);
    let statuses: number[] | undefined;
    if (!pending.size) {
      if (status && !status.unknown.length && !status.params.size && !status.passThrough) {
        statuses = [...status.numbers];
        if (status.maybeUndefined && site.statusDefaultsByClass) statuses = classes ? [...statuses, ...classes.map((c) => DEFAULT_STATUS[c])] : undefined;
      } else if (!status && site.statusDefaultsByClass && classes) {
        statuses = classes.map((c) => DEFAULT_STATUS[c]);
      }
    }
    const where = positionOf(anchor);
    for (const [isPattern, set] of [[false, code.strings], [true, code.patterns]] as const) {
      for (const value of set) {
        const key = `${where.file}:${where.line}:${where.column}:${value}:${site.property}`;
        if (seenUse.has(key)) continue;
        seenUse.add(key);
        uses.push({
          ...where,
          code: value,
          isPattern,
          via,
          property: site.property,
          ...(site.detailOf ? { detailOf: site.detailOf } : {}),
          ...(classes ? { errorClasses: [...new Set(classes)].sort() } : {}),
          ...(statuses?.length ? { httpStatuses: [...new Set(statuses)].sort((a, b) => a - b) } : {}),
        });
      }
    }
  }

  for (const site of roots) resolveSite(site, NO_BINDINGS, [], site.codeNode);
  uses.sort((a, b) => a.code.localeCompare(b.code) || a.file.localeCompare(b.file) || a.line - b.line);
  for (const dir of options.flowDefinitions ?? []) uses.push(...flowDefinitionCodes(options.rootDir, dir));
  return { uses, unresolved, passThrough, helpers: [...helpers].sort(), filesScanned: sourceFiles.length };
}
