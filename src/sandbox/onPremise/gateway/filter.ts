import { badRequest, codes } from './errors';
import type { EntityType, Row, Value } from './model';

/**
 * `$filter` of OData V2 as SAP Gateway takes it: `eq ne gt ge lt le`, `and or not`, parentheses, the functions
 * `substringof`, `startswith`, `endswith`, `tolower`, `toupper`, `trim`, `length`, and string ('…', '' escapes),
 * number, `true`/`false` and `null` literals. Compiled to a predicate; anything else is Gateway's 400.
 */

type Scalar = string | number | boolean | null;
type Expression = (row: Row) => Scalar;

interface Token {
  readonly kind: 'word' | 'string' | 'number' | 'open' | 'close' | 'comma';
  readonly text: string;
  readonly value?: Scalar;
}

const comparisons = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;
type Comparison = (typeof comparisons)[number];

export function compileFilter(source: string, type: EntityType): (row: Row) => boolean {
  const parser = new Parser(tokenize(source), type);
  const expression = parser.expression();
  parser.end();
  return (row) => expression(row) === true;
}

function invalid(message: string): Error {
  return badRequest(`Invalid filter expression: ${message}`, codes.filter);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char === '(' ? 'open' : char === ')' ? 'close' : 'comma', text: char });
      i++;
    } else if (char === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw invalid('unterminated string literal');
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i];
        i++;
      }
      tokens.push({ kind: 'string', text: value, value });
    } else {
      const match = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[lLmMdDfF]?(?![\w.])|^[A-Za-z_][\w./]*/.exec(source.slice(i));
      if (!match) throw invalid(`unexpected '${char}' at position ${i}`);
      tokens.push(match[1] !== undefined ? { kind: 'number', text: match[0], value: Number(match[1]) } : { kind: 'word', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

const functions: Record<string, { arity: number; apply: (args: Scalar[]) => Scalar }> = {
  substringof: { arity: 2, apply: ([needle, haystack]) => text(haystack).includes(text(needle)) },
  startswith: { arity: 2, apply: ([value, prefix]) => text(value).startsWith(text(prefix)) },
  endswith: { arity: 2, apply: ([value, suffix]) => text(value).endsWith(text(suffix)) },
  tolower: { arity: 1, apply: ([value]) => text(value).toLowerCase() },
  toupper: { arity: 1, apply: ([value]) => text(value).toUpperCase() },
  trim: { arity: 1, apply: ([value]) => text(value).trim() },
  length: { arity: 1, apply: ([value]) => text(value).length },
};

function text(value: Scalar | undefined): string {
  if (typeof value !== 'string') throw invalid('a string function was given a value that is not a string');
  return value;
}

function compare(operator: Comparison, left: Scalar, right: Scalar): boolean {
  if (left !== null && right !== null && typeof left !== typeof right) throw invalid(`cannot compare ${typeof left} with ${typeof right}`);
  switch (operator) {
    case 'eq':
      return left === right;
    case 'ne':
      return left !== right;
    default: {
      if (left === null || right === null) return false;
      const order = left < right ? -1 : left > right ? 1 : 0;
      return operator === 'gt' ? order > 0 : operator === 'ge' ? order >= 0 : operator === 'lt' ? order < 0 : order <= 0;
    }
  }
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly type: EntityType,
  ) {}

  end(): void {
    const rest = this.tokens[this.position];
    if (rest) throw invalid(`unexpected '${rest.text}'`);
  }

  expression(): Expression {
    let left = this.conjunction();
    while (this.keyword('or')) {
      const [a, b] = [left, this.conjunction()];
      left = (row) => a(row) === true || b(row) === true;
    }
    return left;
  }

  private conjunction(): Expression {
    let left = this.negation();
    while (this.keyword('and')) {
      const [a, b] = [left, this.negation()];
      left = (row) => a(row) === true && b(row) === true;
    }
    return left;
  }

  private negation(): Expression {
    if (this.keyword('not')) {
      const inner = this.negation();
      return (row) => inner(row) !== true;
    }
    return this.comparison();
  }

  private comparison(): Expression {
    const left = this.primary();
    const next = this.tokens[this.position];
    const operator = comparisons.find((candidate) => next?.kind === 'word' && next.text === candidate);
    if (!operator) return left;
    this.position++;
    const right = this.primary();
    return (row) => compare(operator, left(row), right(row));
  }

  private primary(): Expression {
    const token = this.tokens[this.position++];
    if (!token) throw invalid('the expression ends too early');
    if (token.kind === 'open') {
      const inner = this.expression();
      this.expect('close');
      return inner;
    }
    if (token.kind === 'string' || token.kind === 'number') {
      const value = token.value as Scalar;
      return () => value;
    }
    if (token.kind !== 'word') throw invalid(`unexpected '${token.text}'`);
    if (token.text === 'true' || token.text === 'false') return () => token.text === 'true';
    if (token.text === 'null') return () => null;
    if (this.tokens[this.position]?.kind === 'open') return this.call(token.text);
    const property = this.type.properties.find((candidate) => candidate.name === token.text);
    if (!property) throw badRequest(`Property '${token.text}' not found in type '${this.type.type}'`, codes.filter);
    return (row) => (row[property.name] ?? null) as Value;
  }

  private call(name: string): Expression {
    const fn = functions[name];
    if (!fn) throw invalid(`unknown function '${name}'`);
    this.expect('open');
    const args: Expression[] = [];
    if (this.tokens[this.position]?.kind !== 'close') {
      args.push(this.expression());
      while (this.tokens[this.position]?.kind === 'comma') {
        this.position++;
        args.push(this.expression());
      }
    }
    this.expect('close');
    if (args.length !== fn.arity) throw invalid(`${name} takes ${fn.arity} argument(s)`);
    return (row) => fn.apply(args.map((arg) => arg(row)));
  }

  private keyword(word: string): boolean {
    const token = this.tokens[this.position];
    if (token?.kind === 'word' && token.text === word) {
      this.position++;
      return true;
    }
    return false;
  }

  private expect(kind: Token['kind']): void {
    const token = this.tokens[this.position++];
    if (token?.kind !== kind) throw invalid(`expected '${kind === 'open' ? '(' : kind === 'close' ? ')' : ','}'`);
  }
}
