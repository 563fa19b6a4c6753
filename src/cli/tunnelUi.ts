import { BtpError, ErrorCode } from '../core/errors';
import { describePlan, type SetupPlan } from '../core/tunnelSetup/setupPlan';
import type { Question, TunnelSetupUi } from '../core/tunnelSetup/setupUi';
import { line, type CliIo } from './io';

export interface CliUiOptions {
  /** --yes: go ahead without asking. */
  readonly yes: boolean;
  /** --json: the plan goes into the JSON result instead of the text. */
  readonly json: boolean;
}

/**
 * The setup's questions answered the way a command line answers them: a flag, else the one default choice (the only
 * usable app, the current kube context), else a listing of the choices and the flag. Before a change it prints the
 * plan and goes ahead only with --yes or a "y" typed at the terminal.
 */
export function cliSetupUi(io: CliIo, options: CliUiOptions): TunnelSetupUi & { readonly refusedForLackOfYes: boolean } {
  let refused = false;
  return {
    get refusedForLackOfYes() {
      return refused;
    },
    async ask<T>(question: Question<T>): Promise<T | undefined> {
      const chosen = question.choices.find((choice) => choice.default && !choice.unusable);
      if (chosen) {
        io.stderr(`${question.title} → ${chosen.label}\n`);
        return chosen.value;
      }
      const list = question.choices.map(
        (choice) => `  ${choice.label}${choice.description ? ` (${choice.description})` : ''}${choice.unusable ? ` — not usable: ${choice.unusable}` : ''}`,
      );
      throw new BtpError(ErrorCode.InvalidInput, `${question.title} Choose with ${question.flag}:\n${list.join('\n')}`, { field: question.id });
    },
    async confirm(plan: SetupPlan): Promise<boolean> {
      if (!options.json) for (const text of describePlan(plan)) line(io, text);
      if (options.yes) return true;
      if (!io.confirm) {
        refused = true;
        return false;
      }
      return io.confirm(plan.action === 'remove' ? 'Remove it? [y/N] ' : plan.action === 'create' ? 'Create it? [y/N] ' : 'Go ahead? [y/N] ');
    },
    progress(message: string): void {
      io.stderr(`${message}\n`);
    },
  };
}
