import { redactText } from '../redact';

/**
 * kubectl keeps running after these errors but forwards nothing any more (kubernetes #78446, #74551,
 * kubectl #1169, #1368), so seeing one means the child must be replaced.
 */
const fatalPattern = /lost connection to pod|error creating (?:error|forwarding) stream|an error occurred forwarding/i;

export function isFatalTunnelLine(line: string): boolean {
  return fatalPattern.test(line);
}

/** The last lines a child printed on stderr, redacted, for error messages. */
export class OutputTail {
  private readonly lines: string[] = [];

  constructor(
    private readonly maxLines = 12,
    private readonly maxChars = 1500,
  ) {}

  add(line: string): string {
    const clean = redactText(line).trimEnd();
    if (clean !== '') {
      this.lines.push(clean);
      if (this.lines.length > this.maxLines) this.lines.shift();
    }
    return clean;
  }

  text(): string {
    const joined = this.lines.join('\n');
    return joined.length > this.maxChars ? `…${joined.slice(joined.length - this.maxChars)}` : joined;
  }
}
