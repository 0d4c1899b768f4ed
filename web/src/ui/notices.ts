// The page's two announcement regions: errors (aria-live assertive, data-testid form-error) and
// outcomes (role status). Order form and cancel buttons both report here.

import { Store } from '../state/store';

export interface Outcome {
  text: string;
  batchSeq?: number;
}

export const formError = new Store<string>('');
export const formStatus = new Store<Outcome | null>(null);

export function reportError(text: string): void {
  formStatus.set(null);
  formError.set(text);
}

export function reportOutcome(o: Outcome): void {
  formError.set('');
  formStatus.set(o);
}
