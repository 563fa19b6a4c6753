import type { SetupPlan } from './setupPlan';

/** The questions a setup asks; the CLI answers them from flags, VS Code with pickers. */
export type QuestionId = 'platform' | 'app' | 'service' | 'context' | 'credentials';

export interface Choice<T> {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly value: T;
  /** Shown but not usable now, with the reason and its fix (an app with SSH disabled, a stopped app). */
  readonly unusable?: string;
  /** What a script gets without the flag (the current kube context, the only app); at most one choice has it. */
  readonly default?: boolean;
}

export interface Question<T> {
  readonly id: QuestionId;
  readonly title: string;
  readonly choices: readonly Choice<T>[];
  /** The CLI flag that answers it, for the message that lists the choices. */
  readonly flag: string;
}

/**
 * How the one setup flow talks to a person. `ask` resolves to undefined when they cancel; `confirm` is asked before
 * anything is created, changed or stored, with the whole plan, and only a true goes ahead.
 */
export interface TunnelSetupUi {
  ask<T>(question: Question<T>): Promise<T | undefined>;
  confirm(plan: SetupPlan): Promise<boolean>;
  progress(message: string): void;
}
