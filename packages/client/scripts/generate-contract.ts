// Writes src/contract.generated.ts: the API's procedures, their input and output types, the error shape and the
// stable error codes, printed as plain TypeScript from @reelpost/api's AppRouter.
//
// Why: `AppRouter` is `typeof appRouter`, and its root types carry the server's Context (a Kysely database, the
// TikTok client, the token codec…) and the procedure metadata of trpc-to-openapi. A `.d.ts` that mentions it either
// imports @reelpost/api (which a frontend cannot install) or inlines half the server's type graph (kysely, pg,
// jose…). The client needs none of that: only what goes over the wire. So the type checker resolves every
// procedure's input and output to the structural type the caller sees, and this script prints them, together with
// a router type rebuilt from @trpc/server's public procedure types, into a file with no import but @trpc/server.
// `test/contract.check.ts` proves, at typecheck time, that the printed types are the router's (a stale file fails
// `tsc`), and `test/contract.test.ts` that the file is what this script prints today.
//
//   pnpm --filter @reelpost/client generate             write the file
//   pnpm --filter @reelpost/client generate --check     exit 1 when the file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CONTRACT_FILE = join(packageRoot, 'src', 'contract.generated.ts');

/** Where the types come from: a module the checker reads next to our sources, so `@reelpost/api` resolves. */
const SOURCE_FILE = join(packageRoot, 'src', '__contract_source__.ts');
const SOURCE = `
import type { AppRouter, FINAL_CONTRACT_STATUSES } from '@reelpost/api';
import type { TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODE_NUMBER } from '@trpc/server';
type Root = AppRouter['_def']['_config']['$types'];
type Rec = AppRouter['_def']['record'];
type Out<K1 extends keyof Rec, K2 extends keyof Rec[K1]> = Rec[K1][K2] extends { _def: { $types: { output: infer O } } } ? O : never;
type In<K1 extends keyof Rec, K2 extends keyof Rec[K1]> = Rec[K1][K2] extends { _def: { $types: { input: infer I } } } ? I : never;
export type __Record = Rec;
export type __ErrorShape = Root['errorShape'];
export type __ErrorCodes = Root['errorShape']['data']['appCode'];
export type __FinalStates = typeof FINAL_CONTRACT_STATUSES;
export type __TrpcCodeKey = TRPC_ERROR_CODE_KEY;
export type __TrpcCodeNumber = TRPC_ERROR_CODE_NUMBER;

export type TaskList = Out<'tasks', 'list'>;
export type TaskListItem = TaskList['items'][number];
export type TaskListInput = In<'tasks', 'list'>;
export type TaskDetail = Out<'tasks', 'detail'>;
export type TikTokAccount = Out<'tiktok', 'setDefaultAccount'>;
export type CreatorInfo = Out<'tiktok', 'creatorInfo'>;
export type ConnectResult = Out<'tiktok', 'connect'>;
export type DisconnectResult = Out<'tiktok', 'disconnect'>;
export type PostInput = In<'tiktok', 'post'>;
export type PostTarget = In<'tiktok', 'status'>;
export type PostStatus = Out<'tiktok', 'status'>;
export type PostState = PostStatus['status'];
export type PostMode = PostStatus['mode'];
export type PrivacyLevel = PostStatus['privacyLevel'];
export type TaskStatus = TaskDetail['status'];
export type ReelpostErrorData = Root['errorShape']['data'];
`;

/**
 * Types printed once under their own name and referred to by it wherever the same type appears (by identity),
 * in this order. Each is a type alias of SOURCE with a line of documentation.
 */
const NAMED_TYPES: { name: string; doc: string }[] = [
  { name: 'TaskStatus', doc: 'Where a task stands.' },
  { name: 'TaskListInput', doc: '`tasks.list` input: one instance or all, a page size, and the previous page’s `nextCursor`.' },
  { name: 'TaskListItem', doc: 'One task of `tasks.list`.' },
  { name: 'TaskList', doc: '`tasks.list`: a page of the caller’s tasks, newest first.' },
  {
    name: 'TaskDetail',
    doc: '`tasks.detail`: a task with its planning, execution log, attached media, output and latest TikTok post.',
  },
  { name: 'TikTokAccount', doc: 'A connected TikTok account: who it is and whether it can post. Never its tokens.' },
  { name: 'CreatorInfo', doc: '`tiktok.creatorInfo`: what the creator may post right now.' },
  { name: 'ConnectResult', doc: '`tiktok.connect`: send the browser to `authorizeUrl` before `expiresAt`.' },
  { name: 'DisconnectResult', doc: '`tiktok.disconnect`: the account as it is now, and the instance’s new default.' },
  { name: 'PrivacyLevel', doc: 'Who may see a post; a creator offers some of these (`CreatorInfo.privacyLevelOptions`).' },
  { name: 'PostMode', doc: '`direct` publishes; `inbox` sends a draft the creator finishes in the TikTok app.' },
  { name: 'PostState', doc: 'Where a post stands (`PostStatus.status`).' },
  { name: 'PostInput', doc: '`tiktok.post` input: what to publish where, and how.' },
  { name: 'PostTarget', doc: '`tiktok.status` and `tiktok.cancel` input: the task, and the account (the default when omitted).' },
  { name: 'PostStatus', doc: 'A post’s state, from `tiktok.post`, `tiktok.status` and `tiktok.cancel` alike.' },
  {
    name: 'ReelpostErrorData',
    doc: 'The `data` of every error: tRPC’s code and HTTP status, our stable code, a hint, TikTok’s code and log id, the input issues.',
  },
];

/** Types printed as a name declared elsewhere (below, or in @trpc/server): SOURCE's alias, the name, its module. */
const REFERENCED_TYPES: { source: string; name: string; from?: string }[] = [
  { source: '__ErrorCodes', name: 'ReelpostErrorCode' },
  { source: '__TrpcCodeKey', name: 'TRPC_ERROR_CODE_KEY', from: '@trpc/server' },
  { source: '__TrpcCodeNumber', name: 'TRPC_ERROR_CODE_NUMBER', from: '@trpc/server' },
];

/** Aliases of other packages that are printed under a name of ours (recursive ones must be named). */
const RENAMED_ALIASES: Record<string, string> = { JSONType: 'JsonValue' };
const ALIAS_DOCS: Record<string, string> = { JsonValue: 'Any JSON value (a task’s `input`, an output that is not a video).' };

const PROCEDURE_TYPES: Record<string, string> = {
  query: 'TRPCQueryProcedure',
  mutation: 'TRPCMutationProcedure',
  subscription: 'TRPCSubscriptionProcedure',
};

function createChecker(): { checker: ts.TypeChecker; source: ts.SourceFile; program: ts.Program } {
  const configPath = join(packageRoot, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const isSource = (fileName: string) => fileName.replaceAll('\\', '/') === SOURCE_FILE.replaceAll('\\', '/');
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    isSource(fileName) ? ts.createSourceFile(fileName, SOURCE, languageVersion, true) : getSourceFile(fileName, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => isSource(fileName) || fileExists(fileName);
  const program = ts.createProgram({ rootNames: [SOURCE_FILE], options, host });
  const source = program.getSourceFile(SOURCE_FILE);
  if (!source) throw new Error('the contract source did not load');
  const errors = ts.getPreEmitDiagnostics(program, source);
  if (errors.length > 0) {
    throw new Error(ts.formatDiagnostics(errors, { ...host, getNewLine: () => '\n', getCanonicalFileName: (f) => f }));
  }
  return { checker: program.getTypeChecker(), source, program };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function docComment(text: string, indent: string): string {
  const lines = text.trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} * ${line}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

class TypePrinter {
  /** Named types by identity, and the names in print order. */
  readonly names = new Map<ts.Type, string>();
  /** Aliases found recursive while printing: printed under a name of their own. */
  readonly hoisted = new Map<ts.Type, string>();
  private readonly stack = new Set<ts.Type>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly program: ts.Program,
  ) {}

  private isLibrary(type: ts.Type): boolean {
    const declarations = type.getSymbol()?.getDeclarations() ?? [];
    return declarations.length > 0 && declarations.every((d) => this.program.isSourceFileDefaultLibrary(d.getSourceFile()));
  }

  /** Prints `type` in full (not by its own name); nested named types print as their names. */
  printBody(type: ts.Type, indent: string): string {
    return this.printInner(type, indent, false);
  }

  print(type: ts.Type, indent: string): string {
    return this.printInner(type, indent, true);
  }

  private printInner(type: ts.Type, indent: string, useName: boolean): string {
    if (useName) {
      const name = this.names.get(type) ?? this.hoisted.get(type);
      if (name) return name;
    }
    if (this.stack.has(type)) {
      const alias = type.aliasSymbol;
      if (!alias || (type.aliasTypeArguments?.length ?? 0) > 0) {
        throw new Error(`a recursive type without a plain alias: ${this.checker.typeToString(type)}`);
      }
      const name = RENAMED_ALIASES[alias.name] ?? alias.name;
      this.hoisted.set(type, name);
      return name;
    }
    this.stack.add(type);
    try {
      return this.printStructure(type, indent);
    } finally {
      this.stack.delete(type);
    }
  }

  private printStructure(type: ts.Type, indent: string): string {
    const { flags } = type;
    if (flags & ts.TypeFlags.Any) return 'any';
    if (flags & ts.TypeFlags.Unknown) return 'unknown';
    if (flags & ts.TypeFlags.Never) return 'never';
    if (flags & ts.TypeFlags.String) return 'string';
    if (flags & ts.TypeFlags.Number) return 'number';
    if (flags & ts.TypeFlags.BigInt) return 'bigint';
    if (flags & ts.TypeFlags.Boolean) return 'boolean';
    if (flags & ts.TypeFlags.Undefined) return 'undefined';
    if (flags & ts.TypeFlags.Null) return 'null';
    if (flags & ts.TypeFlags.Void) return 'void';
    if (flags & ts.TypeFlags.ESSymbol) return 'symbol';
    if (flags & ts.TypeFlags.NonPrimitive) return 'object';
    if (type.isStringLiteral()) return JSON.stringify(type.value);
    if (type.isNumberLiteral()) return String(type.value);
    if (flags & ts.TypeFlags.BooleanLiteral) return this.checker.typeToString(type);
    if (type.isUnion()) return this.printUnion(type, indent);
    if (type.isIntersection()) return type.types.map((member) => this.wrap(member, indent)).join(' & ');
    if (this.checker.isTupleType(type)) {
      const target = (type as ts.TypeReference).target as ts.TupleType;
      const elements = this.checker.getTypeArguments(type as ts.TypeReference).map((element, index) => {
        const flag = target.elementFlags[index] ?? ts.ElementFlags.Required;
        const printed = this.print(element, indent);
        if (flag & ts.ElementFlags.Optional) return `${printed}?`;
        if (flag & ts.ElementFlags.Rest) return `...${this.wrap(element, indent)}[]`;
        return printed;
      });
      return `${target.readonly ? 'readonly ' : ''}[${elements.join(', ')}]`;
    }
    if (this.checker.isArrayType(type)) {
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      const readonly = type.getSymbol()?.getName() === 'ReadonlyArray' ? 'readonly ' : '';
      return `${readonly}${this.wrap(element!, indent)}[]`;
    }
    if (flags & ts.TypeFlags.Object) {
      if (this.isLibrary(type)) return this.checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
      return this.printObject(type, indent);
    }
    throw new Error(`cannot print the type ${this.checker.typeToString(type)} (flags ${flags})`);
  }

  private printUnion(type: ts.UnionType, indent: string): string {
    let members: readonly ts.Type[] = type.types;
    // A named union inside a larger one prints by its name (`PostState | null`), the largest first.
    const printed: string[] = [];
    const namedUnions = [...this.names]
      .filter(([named]) => named !== type && named.isUnion())
      .sort(([a], [b]) => (b as ts.UnionType).types.length - (a as ts.UnionType).types.length);
    for (const [named, name] of namedUnions) {
      const parts = (named as ts.UnionType).types;
      if (parts.every((part) => members.includes(part))) {
        printed.push(name);
        members = members.filter((member) => !parts.includes(member));
      }
    }
    const hasTrue = members.some((m) => m.flags & ts.TypeFlags.BooleanLiteral && this.checker.typeToString(m) === 'true');
    const hasFalse = members.some((m) => m.flags & ts.TypeFlags.BooleanLiteral && this.checker.typeToString(m) === 'false');
    let booleanDone = false;
    for (const member of members) {
      if (member.flags & ts.TypeFlags.BooleanLiteral && hasTrue && hasFalse) {
        if (!booleanDone) printed.push('boolean');
        booleanDone = true;
        continue;
      }
      printed.push(this.print(member, indent));
    }
    // null and undefined last, as people write them.
    const rank = (text: string) => (text === 'null' ? 1 : text === 'undefined' ? 2 : 0);
    return printed.sort((a, b) => rank(a) - rank(b)).join(' | ');
  }

  /** A member of an array, union or intersection, in parentheses when it needs them. */
  private wrap(type: ts.Type, indent: string): string {
    const printed = this.print(type, indent);
    const named = this.names.has(type) || this.hoisted.has(type);
    return !named && (type.isUnion() || type.isIntersection()) ? `(${printed})` : printed;
  }

  private printObject(type: ts.Type, indent: string): string {
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      throw new Error(`a function type crossed the wire: ${this.checker.typeToString(type)}`);
    }
    const inner = `${indent}  `;
    const lines: string[] = [];
    for (const info of this.checker.getIndexInfosOfType(type)) {
      const key = this.print(info.keyType, inner);
      lines.push(`${inner}${info.isReadonly ? 'readonly ' : ''}[key: ${key}]: ${this.print(info.type, inner)};\n`);
    }
    for (const property of this.checker.getPropertiesOfType(type)) {
      const name = property.getName();
      const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
      const readonly = isReadonlyProperty(property) ? 'readonly ' : '';
      const propertyType = this.checker.getTypeOfSymbol(property);
      const doc = documentationOf(property, this.checker);
      const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
      lines.push(`${doc ? docComment(doc, inner) : ''}${inner}${readonly}${key}${optional}: ${this.print(propertyType, inner)};\n`);
    }
    return lines.length === 0 ? '{}' : `{\n${lines.join('')}${indent}}`;
  }
}

/** A symbol's JSDoc as written (tags included: "@mentions" in a caption's description is not a tag). */
function documentationOf(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  for (const declaration of symbol.getDeclarations() ?? []) {
    const jsDoc = ts.getJSDocCommentsAndTags(declaration).filter(ts.isJSDoc).at(-1);
    if (!jsDoc) continue;
    return jsDoc
      .getText()
      .replace(/^\/\*\*\s*/, '')
      .replace(/\s*\*\/$/, '')
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, '').trimEnd())
      .join('\n')
      .trim();
  }
  return ts.displayPartsToString(symbol.getDocumentationComment(checker));
}

function isReadonlyProperty(property: ts.Symbol): boolean {
  const declarations = property.getDeclarations() ?? [];
  if (declarations.some((d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly)) return true;
  // Properties of mapped types (zod's inferred objects) keep their modifiers in the symbol's check flags.
  const checkFlags = (property as { links?: { checkFlags?: number } }).links?.checkFlags ?? 0;
  return (checkFlags & 8) !== 0;
}

interface ProcedureEntry {
  kind: string;
  input: ts.Type;
  output: ts.Type;
  doc: string;
}
type RecordEntry = { procedure: ProcedureEntry } | { record: Map<string, RecordEntry>; doc: string };

function typeAt(checker: ts.TypeChecker, type: ts.Type, path: string[]): ts.Type {
  let current = type;
  for (const name of path) {
    const property = checker.getPropertyOfType(current, name);
    if (!property) throw new Error(`no ${path.join('.')} on ${checker.typeToString(type)}`);
    current = checker.getTypeOfSymbol(property);
  }
  return current;
}

function readRecord(checker: ts.TypeChecker, record: ts.Type): Map<string, RecordEntry> {
  const entries = new Map<string, RecordEntry>();
  for (const property of checker.getPropertiesOfType(record)) {
    const value = checker.getTypeOfSymbol(property);
    const doc = documentationOf(property, checker);
    if (checker.getPropertyOfType(value, '_def') && checker.getPropertyOfType(typeAt(checker, value, ['_def']), 'procedure')) {
      const kindType = typeAt(checker, value, ['_def', 'type']);
      if (!kindType.isStringLiteral()) throw new Error(`the kind of procedure ${property.getName()} is not known`);
      entries.set(property.getName(), {
        procedure: {
          kind: kindType.value,
          input: typeAt(checker, value, ['_def', '$types', 'input']),
          output: typeAt(checker, value, ['_def', '$types', 'output']),
          doc,
        },
      });
    } else {
      entries.set(property.getName(), { record: readRecord(checker, value), doc });
    }
  }
  return entries;
}

function literalTuple(checker: ts.TypeChecker, type: ts.Type): string[] {
  const members = checker.isTupleType(type) ? checker.getTypeArguments(type as ts.TypeReference) : type.isUnion() ? type.types : [type];
  return members.map((member) => {
    if (!member.isStringLiteral()) throw new Error(`not a string literal: ${checker.typeToString(member)}`);
    return member.value;
  });
}

export function renderContract(): string {
  const { checker, source, program } = createChecker();
  const exported = new Map<string, ts.Type>();
  const moduleSymbol = checker.getSymbolAtLocation(source);
  for (const symbol of checker.getExportsOfModule(moduleSymbol!)) exported.set(symbol.getName(), checker.getDeclaredTypeOfSymbol(symbol));
  const get = (name: string) => {
    const type = exported.get(name);
    if (!type) throw new Error(`the contract source has no ${name}`);
    return type;
  };

  const printer = new TypePrinter(checker, program);
  for (const { source: alias, name } of REFERENCED_TYPES) printer.names.set(get(alias), name);
  for (const { name } of NAMED_TYPES) printer.names.set(get(name), name);
  const record = readRecord(checker, get('__Record'));
  const errorShape = get('__ErrorShape');
  const errorCodes = literalTuple(checker, get('__ErrorCodes')).sort();
  const finalStates = literalTuple(checker, get('__FinalStates'));

  const usedKinds = new Set<string>();
  function printRecord(entries: Map<string, RecordEntry>, indent: string): string {
    const inner = `${indent}  `;
    let text = '{\n';
    for (const [name, entry] of entries) {
      if ('procedure' in entry) {
        const { kind, input, output, doc } = entry.procedure;
        const procedureType = PROCEDURE_TYPES[kind];
        if (!procedureType) throw new Error(`unknown procedure kind ${kind}`);
        usedKinds.add(procedureType);
        const fields = `${inner}  input: ${printer.print(input, `${inner}  `)};\n${inner}  output: ${printer.print(output, `${inner}  `)};\n${inner}  meta: object;\n`;
        text += `${doc ? docComment(doc, inner) : ''}${inner}${name}: ${procedureType}<{\n${fields}${inner}}>;\n`;
      } else {
        text += `${entry.doc ? docComment(entry.doc, inner) : ''}${inner}${name}: ${printRecord(entry.record, inner)};\n`;
      }
    }
    return `${text}${indent}}`;
  }

  const declaration = (doc: string | undefined, text: string) => `${doc ? docComment(doc, '') : ''}${text}\n`;
  // Printed twice: the first pass finds the recursive aliases (JSON), the second prints them by name.
  const printAll = () => {
    const named = NAMED_TYPES.map(({ name, doc }) => declaration(doc, `export type ${name} = ${printer.printBody(get(name), '')};`));
    const shape = printer.printBody(errorShape, '');
    const routerRecord = printRecord(record, '  ');
    const hoisted = [...printer.hoisted].map(([type, name]) =>
      declaration(ALIAS_DOCS[name], `export type ${name} = ${printer.printBody(type, '')};`),
    );
    return { named, shape, routerRecord, hoisted };
  };
  printAll();
  const { named, shape, routerRecord, hoisted } = printAll();

  const trpcImports = [
    'TRPCBuiltRouter',
    ...usedKinds,
    ...REFERENCED_TYPES.filter((type) => type.from === '@trpc/server').map((type) => type.name),
  ].sort();
  return [
    `// Generated by scripts/generate-contract.ts from @reelpost/api's AppRouter. Do not edit: change the API, then run
// \`pnpm --filter @reelpost/client generate\`. The types are the router's inputs and outputs as the checker resolves
// them, so the published .d.ts needs nothing but @trpc/server (the script says why).
`,
    `import type { ${trpcImports.join(', ')} } from '@trpc/server';\n`,
    ...hoisted,
    ...named,
    declaration(
      'Every stable error code the API can send in `data.appCode`: ours (see the error codes table in the docs) and\nthe few tRPC gives on its own (an unknown procedure, a wrong method, a body too large).',
      `export const REELPOST_ERROR_CODES = [\n${errorCodes.map((code) => `  ${JSON.stringify(code)},\n`).join('')}] as const;`,
    ),
    declaration(undefined, 'export type ReelpostErrorCode = (typeof REELPOST_ERROR_CODES)[number];'),
    declaration("The shape of every error the API sends: tRPC's `message` and `code`, and our `data`.", `export type ReelpostErrorShape = ${shape};`),
    declaration(
      'Statuses after which nothing more will happen to a post by itself.',
      `export const FINAL_POST_STATES = [${finalStates.map((state) => JSON.stringify(state)).join(', ')}] as const;`,
    ),
    declaration(undefined, 'export type FinalPostState = (typeof FINAL_POST_STATES)[number];'),
    declaration(
      "The API as a client sees it: every procedure with its input and output, superjson on the wire, our error\nshape. What `typeof appRouter` is to a client, without the server's context.",
      `export type ReelpostRouter = TRPCBuiltRouter<\n  { ctx: object; meta: object; errorShape: ReelpostErrorShape; transformer: true },\n  ${routerRecord}\n>;`,
    ),
  ].join('\n');
}

function main(): void {
  const check = process.argv.includes('--check');
  const text = renderContract();
  let current: string | null;
  try {
    current = readFileSync(CONTRACT_FILE, 'utf8');
  } catch {
    current = null;
  }
  if (check) {
    if (current !== text) {
      console.error('src/contract.generated.ts is out of date: run `pnpm --filter @reelpost/client generate`.');
      process.exit(1);
    }
    console.log('src/contract.generated.ts is up to date.');
    return;
  }
  if (current === text) {
    console.log('src/contract.generated.ts is up to date.');
    return;
  }
  writeFileSync(CONTRACT_FILE, text);
  console.log('wrote src/contract.generated.ts');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
