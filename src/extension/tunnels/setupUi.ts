import * as vscode from 'vscode';
import { describePlan, type SetupPlan } from '../../core/tunnelSetup/setupPlan';
import type { Choice, Question, TunnelSetupUi } from '../../core/tunnelSetup/setupUi';

/**
 * The setup's questions as QuickPicks and its plan as a modal confirmation with every command in its detail. An app
 * that cannot be used now is listed with the reason and its fix; picking it says so and asks again.
 */
export function vscodeSetupUi(progress: vscode.Progress<{ message?: string }>, log: (line: string) => void): TunnelSetupUi {
  return {
    async ask<T>(question: Question<T>): Promise<T | undefined> {
      const ordered = [...question.choices].sort(
        (a, b) => Number(b.default === true) - Number(a.default === true) || Number(a.unusable !== undefined) - Number(b.unusable !== undefined),
      );
      const items = ordered.map((choice) => ({
        label: choice.unusable ? `$(warning) ${choice.label}` : choice.label,
        ...(choice.description === undefined ? {} : { description: choice.description }),
        ...(choice.unusable ? { detail: vscode.l10n.t('Not usable now: {0}', choice.unusable) } : choice.detail === undefined ? {} : { detail: choice.detail }),
        choice,
      }));
      for (;;) {
        const picked = await vscode.window.showQuickPick(items, { title: question.title, ignoreFocusOut: true, matchOnDescription: true });
        if (!picked) return undefined;
        const choice: Choice<T> = picked.choice;
        if (!choice.unusable) return choice.value;
        await vscode.window.showWarningMessage(vscode.l10n.t('{0} cannot carry a tunnel now: {1}', choice.label, choice.unusable), { modal: true });
      }
    },
    async confirm(plan: SetupPlan): Promise<boolean> {
      const [headline = '', ...rest] = describePlan(plan);
      for (const line of describePlan(plan)) log(line);
      const button =
        plan.action === 'create'
          ? vscode.l10n.t('Create Tunnel App')
          : plan.action === 'remove'
            ? vscode.l10n.t('Remove Tunnel App')
            : vscode.l10n.t('Import and Use');
      const answer = await vscode.window.showWarningMessage(headline, { modal: true, detail: rest.join('\n') }, button);
      return answer === button;
    },
    progress(message: string): void {
      log(message);
      progress.report({ message });
    },
  };
}
