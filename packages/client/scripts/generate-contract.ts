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
import { docComment, documentationOf, TypePrinter } from './contract/type-printer.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CONTRACT_FILE = join(packageRoot, 'src', 'contract.generated.ts');

/** Where the types come from: a module the checker reads next to our sources, so `@reelpost/api` resolves. */
const SOURCE_FILE = join(packageRoot, 'src', '__contract_source__.ts');
const SOURCE = `
import type { AppRouter, FINAL_CONTRACT_STATUSES, WAITING_CONTRACT_STATUSES } from '@reelpost/api';
import type { TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODE_NUMBER } from '@trpc/server';
type Root = AppRouter['_def']['_config']['$types'];
type Rec = AppRouter['_def']['record'];
type Out<K1 extends keyof Rec, K2 extends keyof Rec[K1]> = Rec[K1][K2] extends { _def: { $types: { output: infer O } } } ? O : never;
type In<K1 extends keyof Rec, K2 extends keyof Rec[K1]> = Rec[K1][K2] extends { _def: { $types: { input: infer I } } } ? I : never;
export type __Record = Rec;
export type __ErrorShape = Root['errorShape'];
export type __ErrorCodes = Root['errorShape']['data']['appCode'];
export type __FinalStates = typeof FINAL_CONTRACT_STATUSES;
export type __WaitingStates = typeof WAITING_CONTRACT_STATUSES;
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

  const printer = new TypePrinter(checker, program, RENAMED_ALIASES);
  for (const { source: alias, name } of REFERENCED_TYPES) printer.names.set(get(alias), name);
  for (const { name } of NAMED_TYPES) printer.names.set(get(name), name);
  const record = readRecord(checker, get('__Record'));
  const errorShape = get('__ErrorShape');
  const errorCodes = literalTuple(checker, get('__ErrorCodes')).sort();
  const finalStates = literalTuple(checker, get('__FinalStates'));
  const waitingStates = literalTuple(checker, get('__WaitingStates'));

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
      'Statuses after which nothing more will happen to a post by itself (SENT_TO_INBOX is not one: see below).',
      `export const FINAL_POST_STATES = [${finalStates.map((state) => JSON.stringify(state)).join(', ')}] as const;`,
    ),
    declaration(undefined, 'export type FinalPostState = (typeof FINAL_POST_STATES)[number];'),
    declaration(
      'Statuses that wait on a person (the creator finishing an inbox draft in TikTok): they may last days, or for\never; the post may still become PUBLISHED.',
      `export const WAITING_POST_STATES = [${waitingStates.map((state) => JSON.stringify(state)).join(', ')}] as const;`,
    ),
    declaration(undefined, 'export type WaitingPostState = (typeof WAITING_POST_STATES)[number];'),
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
