// Prints a type the checker resolved as plain TypeScript: named types by their names, library types as the
// checker writes them, objects member by member with their documentation and modifiers. Only public compiler API.
import ts from 'typescript';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function docComment(text: string, indent: string): string {
  const lines = text.trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} * ${line}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

export class TypePrinter {
  /** Named types by identity, and the names in print order. */
  readonly names = new Map<ts.Type, string>();
  /** Aliases found recursive while printing: printed under a name of their own. */
  readonly hoisted = new Map<ts.Type, string>();
  private readonly stack = new Set<ts.Type>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly program: ts.Program,
    /** Aliases of other packages printed under a name of ours (recursive ones must be named). */
    private readonly renamedAliases: Record<string, string>,
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
      const name = this.renamedAliases[alias.name] ?? alias.name;
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
    const readonlyNames = readonlyPropertiesOf(this.checker, type);
    for (const property of this.checker.getPropertiesOfType(type)) {
      const name = property.getName();
      const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
      const readonly = readonlyNames.has(name) ? 'readonly ' : '';
      const propertyType = this.checker.getTypeOfSymbol(property);
      const doc = documentationOf(property, this.checker);
      const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
      lines.push(`${doc ? docComment(doc, inner) : ''}${inner}${readonly}${key}${optional}: ${this.print(propertyType, inner)};\n`);
    }
    return lines.length === 0 ? '{}' : `{\n${lines.join('')}${indent}}`;
  }
}

/** A symbol's JSDoc as written (tags included: "@mentions" in a caption's description is not a tag). */
export function documentationOf(symbol: ts.Symbol, checker: ts.TypeChecker): string {
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

/**
 * Names of the properties the checker writes `readonly` in an object type: declared so, or made so by a mapped type
 * (zod's inferred objects), whose modifier only shows in the type as the checker prints it.
 */
function readonlyPropertiesOf(checker: ts.TypeChecker, type: ts.Type): Set<string> {
  const names = new Set<string>();
  for (const property of checker.getPropertiesOfType(type)) {
    const declarations = property.getDeclarations() ?? [];
    if (declarations.some((d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly)) names.add(property.getName());
  }
  const node = checker.typeToTypeNode(type, undefined, ts.NodeBuilderFlags.InTypeAlias | ts.NodeBuilderFlags.NoTruncation);
  if (!node || !ts.isTypeLiteralNode(node)) return names;
  for (const member of node.members.filter(ts.isPropertySignature)) {
    const readonly = ts.getModifiers(member)?.some((modifier) => modifier.kind === ts.SyntaxKind.ReadonlyKeyword) ?? false;
    if (readonly && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) names.add(member.name.text);
  }
  return names;
}
